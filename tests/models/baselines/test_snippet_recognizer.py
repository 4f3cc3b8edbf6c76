"""SnippetVADRecognizer and SnippetDataPreprocessor: batching, crops, modes."""

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample


def _samples(labels, snippet_length=16):
    out = []
    for i, label in enumerate(labels):
        ds = ActionDataSample().set_gt_label(label)
        ds.set_metainfo(dict(video_id=f'v{i}', snippet_length=snippet_length))
        out.append(ds)
    return out


def _mil_model(dims=8):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='SnippetVADRecognizer',
            head=dict(type='MILHead', in_channels=dims, hidden_dims=(8, 4)),
            loss=dict(type='MILRankingLoss'),
        )
    )
    return model.eval()


def test_preprocessor_stacks_and_pads_with_mask():
    pre = MODELS.build(dict(type='SnippetDataPreprocessor'))
    samples = _samples([0, 1])
    a = torch.randn(5, 2, 3).half()
    b = torch.randn(3, 2, 3).half()
    out = pre(dict(inputs=[a, b], data_samples=samples))
    assert out['inputs'].shape == (2, 5, 2, 3)
    assert out['inputs'].dtype == torch.float32
    torch.testing.assert_close(out['inputs'][1, :3], b.float())
    assert out['inputs'][1, 3:].abs().sum() == 0
    out_samples = out['data_samples']
    assert out_samples[1].snippet_mask.tolist() == [True] * 3 + [False] * 2
    assert getattr(out_samples[0], 'snippet_mask', None) is None


def test_preprocessor_reads_2d_features_as_one_crop():
    pre = MODELS.build(dict(type='SnippetDataPreprocessor'))
    out = pre(dict(inputs=[torch.randn(4, 6)], data_samples=_samples([0])))
    assert out['inputs'].shape == (1, 4, 1, 6)


def test_preprocessor_rejects_mixed_feature_dims():
    pre = MODELS.build(dict(type='SnippetDataPreprocessor'))
    with pytest.raises(ValueError, match='differ in'):
        pre(
            dict(
                inputs=[torch.randn(4, 1, 6), torch.randn(4, 1, 5)],
                data_samples=_samples([0, 1]),
            )
        )


def test_predict_averages_crops_and_repeats_per_frame():
    model = _mil_model()
    x = torch.randn(1, 6, 3, 8)
    samples = _samples([1], snippet_length=4)
    out = model(x, samples, mode='predict')[0]
    per_crop = torch.stack(
        [
            torch.sigmoid(model.head.mlp(x[0, :, c])).squeeze(-1)
            for c in range(3)
        ]
    )
    expected = per_crop.mean(dim=0)
    torch.testing.assert_close(out.pred_snippet_scores, expected)
    torch.testing.assert_close(
        out.pred_frame_scores, expected.repeat_interleave(4)
    )
    assert out.pred_frame_scores.shape == (24,)


def test_predict_drops_padding_of_a_padded_batch():
    model = _mil_model()
    pre = model.data_preprocessor
    samples = _samples([0, 1], snippet_length=2)
    data = pre(
        dict(
            inputs=[torch.randn(5, 1, 8), torch.randn(3, 1, 8)],
            data_samples=samples,
        )
    )
    out = model(**data, mode='predict')
    assert out[0].pred_frame_scores.shape == (10,)
    assert out[1].pred_frame_scores.shape == (6,)


def test_tensor_mode_and_average_crops_option():
    model = _mil_model()
    x = torch.randn(2, 5, 2, 8)
    scores = model(x, mode='tensor')
    assert scores.shape == (2, 5)
    model.average_crops = True
    mean_feat = torch.sigmoid(model.head.mlp(x.mean(dim=2))).squeeze(-1)
    torch.testing.assert_close(model(x, mode='tensor'), mean_feat)


def test_loss_mode_repeats_labels_per_crop():
    model = _mil_model()
    x = torch.randn(2, 4, 3, 8)
    losses = model(x, _samples([0, 1]), mode='loss')
    scores = torch.sigmoid(
        model.head.mlp(x.permute(0, 2, 1, 3).reshape(6, 4, 8))
    ).squeeze(-1)
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    direct = MODELS.build(dict(type='MILRankingLoss'))(
        dict(scores=scores), labels
    )
    for key in direct:
        torch.testing.assert_close(losses[key], direct[key])


def test_invalid_mode_raises():
    model = _mil_model()
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(torch.randn(1, 4, 1, 8), _samples([0]), mode='train')


def test_wrong_input_rank_raises():
    model = _mil_model()
    with pytest.raises(ValueError, match=r'\(B, T, C, D\)'):
        model(torch.randn(1, 2, 4, 1, 8), mode='tensor')
