import math

import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from fgclip_mm.models.backbones import tiny_clip_arch

CLIP_MEAN = [122.7709383, 116.7460125, 104.09373615]
CLIP_STD = [68.5005327, 66.6321579, 70.32316305]


def build_model(frozen=True, **overrides):
    cfg = dict(
        type='FGCLIPRecognizer',
        backbone=dict(
            type='OpenCLIPBackbone',
            arch=tiny_clip_arch(),
            frozen=frozen,
            freeze_text=frozen,
        ),
        temporal_adapter=dict(type='TemporalAdapter', num_heads=4),
        region_head=dict(type='RoIRegionHead'),
        loss=dict(type='DualContrastiveLoss'),
        scorer=dict(
            type='PromptAnomalyScorer',
            classes=['normal scene', 'explosion', 'fighting'],
        ),
        data_preprocessor=dict(
            type='ActionDataPreprocessor',
            mean=CLIP_MEAN,
            std=CLIP_STD,
            format_shape='NCHW',
        ),
    )
    cfg.update(overrides)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def make_batch(num=3, frames=4, regions=2):
    samples = []
    for i in range(num):
        ds = ActionDataSample().set_gt_label(i % 2)
        ds.boxes = (
            torch.tensor([0.1, 0.2, 0.6, 0.9])
            .expand(frames, regions, 4)
            .clone()
        )
        mask = torch.zeros(frames, regions, dtype=torch.bool)
        mask[:, 0] = True
        mask[1:3, 1] = i > 0
        ds.bbox_mask = mask
        ds.global_caption = ['people walk', 'a fire starts', 'people walk'][
            i % 3
        ]
        ds.region_captions = ['a person', 'flames' if i > 0 else '']
        ds.video_id = f'v{i}'
        samples.append(ds)
    inputs = [
        torch.randint(0, 256, (frames, 3, 64, 64), dtype=torch.uint8)
        for _ in range(num)
    ]
    return dict(inputs=inputs, data_samples=samples)


def test_with_frozen_backbone_only_heads_and_scales_get_gradients():
    model = build_model(frozen=True)
    data = model.data_preprocessor(make_batch(), training=True)
    losses = model(**data, mode='loss')
    assert {'loss_global', 'loss_region'} <= set(losses)
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    with_grad = {
        n.split('.')[0]
        for n, p in model.named_parameters()
        if p.grad is not None
    }
    assert with_grad == {'temporal_adapter', 'region_head', 'logit_scales'}
    assert list(model.loss_module.parameters()) == []
    assert all(p.grad is None for p in model.backbone.parameters())


def test_unfrozen_backbone_trains_too():
    model = build_model(frozen=False)
    data = model.data_preprocessor(make_batch(), training=True)
    losses = model(**data, mode='loss')
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    assert model.backbone.clip.visual.conv1.weight.grad is not None


def test_video_embedding_at_step_zero_is_mean_of_frame_embeddings():
    model = build_model()
    frames = torch.randn(2, 5, model.backbone.embed_dim)
    adapted, video = model.encode_video(frames)
    torch.testing.assert_close(adapted, F.normalize(frames, dim=-1))
    torch.testing.assert_close(video, F.normalize(frames, dim=-1).mean(1))


def test_predict_gives_a_score_in_unit_interval_per_sampled_frame():
    model = build_model().eval()
    data = model.data_preprocessor(make_batch(num=2, frames=3), training=False)
    with torch.no_grad():
        out = model(**data, mode='predict')
    for ds in out:
        assert ds.pred_frame_scores.shape == (3,)
        assert (
            (ds.pred_frame_scores >= 0) & (ds.pred_frame_scores <= 1)
        ).all()
        torch.testing.assert_close(ds.pred_class_probs.sum(-1), torch.ones(3))


def set_scales(model, global_scale, region_scale):
    with torch.no_grad():
        model.logit_scales.global_log_scale.fill_(math.log(global_scale))
        model.logit_scales.region_log_scale.fill_(math.log(region_scale))


def class_prompts(model):
    prompts = F.normalize(
        model.backbone.encode_text(
            [s for group in model.scorer.sentences for s in group]
        ),
        dim=-1,
    )
    prompts = prompts.reshape(
        len(model.scorer.sentences), -1, prompts.shape[-1]
    )
    return F.normalize(prompts.mean(1), dim=-1)


def test_global_only_score_is_one_minus_normal_probability_at_global_scale():
    model = build_model(
        scorer=dict(
            type='PromptAnomalyScorer',
            alpha=1.0,
            classes=['normal scene', 'explosion'],
        )
    )
    model.eval()
    set_scales(model, global_scale=10.0, region_scale=50.0)
    data = model.data_preprocessor(make_batch(num=1, frames=2), training=False)
    with torch.no_grad():
        scores = model(data['inputs'], mode='tensor')
        glob, _ = model.extract_feat(data['inputs'])
        frames = F.normalize(glob, dim=-1)
        probs = (10.0 * frames @ class_prompts(model).t()).softmax(-1)
    torch.testing.assert_close(scores, 1 - probs[..., 0], rtol=1e-4, atol=1e-5)


def test_full_frame_regional_score_uses_mean_patch_and_region_scale():
    model = build_model(
        scorer=dict(
            type='PromptAnomalyScorer',
            alpha=0.0,
            grid_sizes=(),
            classes=['normal scene', 'explosion', 'fighting'],
        )
    )
    model.eval()
    set_scales(model, global_scale=10.0, region_scale=50.0)
    data = model.data_preprocessor(make_batch(num=2, frames=2), training=False)
    with torch.no_grad():
        scores = model(data['inputs'], mode='tensor')
        _, dense = model.extract_feat(data['inputs'])  # (B, T, D, h, w)
        box = F.normalize(dense.mean(dim=(-2, -1)), dim=-1)
        probs = (50.0 * box @ class_prompts(model).t()).softmax(-1)
    torch.testing.assert_close(scores, 1 - probs[..., 0], rtol=1e-4, atol=1e-5)


def test_loss_receives_each_level_its_own_scale():
    model = build_model()
    set_scales(model, global_scale=10.0, region_scale=50.0)
    data = model.data_preprocessor(make_batch(), training=True)
    losses = model(**data, mode='loss')
    assert math.isclose(
        losses['logit_scale_global'].item(), 10.0, rel_tol=1e-5
    )
    assert math.isclose(
        losses['logit_scale_region'].item(), 50.0, rel_tol=1e-5
    )


def test_valid_region_with_empty_caption_is_an_error():
    model = build_model()
    batch = make_batch()
    batch['data_samples'][1].region_captions = ['a person', '']
    data = model.data_preprocessor(batch, training=True)
    with pytest.raises(ValueError, match='empty caption'):
        model(**data, mode='loss')


def test_prompts_encoded_once_per_evaluation_with_a_trainable_text_tower(
    monkeypatch,
):
    model = build_model(frozen=False).eval()
    calls = []
    real = model.backbone.encode_text

    def counting(texts):
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(model.backbone, 'encode_text', counting)
    data = model.data_preprocessor(make_batch(num=1, frames=2), training=False)
    with torch.no_grad():
        first = model(data['inputs'], mode='tensor')
        second = model(data['inputs'], mode='tensor')
    assert len(calls) == 1
    torch.testing.assert_close(first, second)
    # a training step may change the text tower: the cache is dropped
    model.train()
    with torch.no_grad():
        model.backbone.clip.ln_final.bias.add_(1.0)
    model.eval()
    with torch.no_grad():
        third = model(data['inputs'], mode='tensor')
    assert len(calls) == 2
    assert not torch.allclose(first, third)


def old_layout(state_dict, global_log, region_log):
    """A state dict as saved before the model owned its scales."""
    old = {
        k: v
        for k, v in state_dict.items()
        if not k.startswith('logit_scales.')
    }
    old['loss_module.log_scales'] = torch.tensor([global_log, region_log])
    return old


def test_old_checkpoint_with_scales_in_the_loss_loads_strictly():
    source = build_model()
    old = old_layout(source.state_dict(), 1.5, 3.25)
    model = build_model()
    model.load_state_dict(old, strict=True)
    assert model.logit_scales.global_log_scale.item() == 1.5
    assert model.logit_scales.region_log_scale.item() == 3.25
    for key, value in source.state_dict().items():
        if not key.startswith('logit_scales.'):
            torch.testing.assert_close(model.state_dict()[key], value)


def test_old_checkpoint_file_loads_through_mmengine(tmp_path):
    from mmengine.runner import load_checkpoint

    source = build_model()
    path = tmp_path / 'old.pth'
    torch.save(
        dict(
            meta=dict(), state_dict=old_layout(source.state_dict(), 2.0, 4.0)
        ),
        path,
    )
    model = build_model()
    load_checkpoint(model, str(path), strict=True)
    assert model.logit_scales.global_log_scale.item() == 2.0
    assert model.logit_scales.region_log_scale.item() == 4.0


def test_scale_options_in_the_loss_config_point_to_logit_scales():
    with pytest.raises(ValueError, match=r"logit_scales=dict\(type='LogitSc"):
        build_model(
            loss=dict(type='DualContrastiveLoss', init_logit_scale=2.0)
        )
