import pytest
import torch

from fgclip_mm.models.heads import TemporalAdapter


def test_adapter_is_the_identity_at_init_and_learns_afterwards():
    torch.manual_seed(0)
    adapter = TemporalAdapter(embed_dims=8, num_heads=2)
    frames = torch.randn(2, 5, 8)
    torch.testing.assert_close(adapter(frames), frames)
    torch.nn.init.ones_(adapter.out_proj.bias)
    torch.testing.assert_close(adapter(frames), frames + 1.0)


def test_zero_layers_is_the_identity_without_parameters_for_mean_pooling():
    adapter = TemporalAdapter(embed_dims=8, num_layers=0)
    frames = torch.randn(2, 5, 8)
    assert adapter(frames) is frames
    assert list(adapter.parameters()) == []
    torch.testing.assert_close(adapter.pool(frames), frames.mean(1))


def test_attention_pooling_starts_uniform_and_follows_its_logits():
    adapter = TemporalAdapter(embed_dims=4, num_layers=0, pooling='attention')
    frames = torch.randn(1, 3, 4)
    frames[0, :, 0] = torch.tensor([0.0, 1.0, -1.0])
    torch.testing.assert_close(adapter.pool(frames), frames.mean(1))
    with torch.no_grad():
        adapter.pool_logits.weight[0, 0] = 50.0  # frame 1 (largest x0) wins
    torch.testing.assert_close(adapter.pool(frames), frames[:, 1])


def test_too_many_frames_and_unknown_pooling_are_refused():
    adapter = TemporalAdapter(embed_dims=8, num_heads=2, max_frames=4)
    with pytest.raises(ValueError, match='5 frames exceed max_frames=4'):
        adapter(torch.randn(1, 5, 8))
    with pytest.raises(ValueError, match="pooling must be 'mean' or"):
        TemporalAdapter(embed_dims=8, pooling='max')
