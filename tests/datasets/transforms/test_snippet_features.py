"""Snippet-feature transforms against direct re-computations."""

import numpy as np
import pytest
import torch

from fgclip_mm.datasets.transforms import (
    LoadSnippetFeatures,
    PackSnippetInputs,
    SampleSnippetSegments,
    SampleSnippetsMaxLen,
    segment_mean,
    snippet_intervals,
)


def rtfm_process_feat(feat, length):
    """RTFM's utils.process_feat, written out (2-d features)."""
    new_feat = np.zeros((length, feat.shape[1]), np.float32)
    r = np.linspace(0, len(feat), length + 1, dtype=int)
    for i in range(length):
        if r[i] != r[i + 1]:
            new_feat[i, :] = np.mean(feat[r[i] : r[i + 1], :], 0)
        else:
            new_feat[i, :] = feat[r[i], :]
    return new_feat


@pytest.mark.parametrize('num_t', [1, 5, 31, 32, 33, 100])
def test_segment_mean_matches_rtfm(num_t):
    rng = np.random.default_rng(num_t)
    feat = rng.normal(size=(num_t, 3, 6)).astype(np.float32)
    out = segment_mean(feat, 32)
    assert out.shape == (32, 3, 6)
    for c in range(3):
        np.testing.assert_allclose(
            out[:, c], rtfm_process_feat(feat[:, c], 32), rtol=1e-6
        )


def test_max_len_pads_with_mask():
    feat = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    out = SampleSnippetsMaxLen(max_len=8)(dict(features=feat))
    assert out['features'].shape == (8, 2, 3)
    np.testing.assert_array_equal(out['features'][:5], feat)
    assert not out['features'][5:].any()
    assert out['snippet_mask'].tolist() == [True] * 5 + [False] * 3
    assert out['num_snippets'] == 5


def test_max_len_uniform_and_random_window():
    feat = np.arange(20, dtype=np.float32).reshape(20, 1, 1)
    uni = SampleSnippetsMaxLen(max_len=4)(dict(features=feat))
    assert uni['features'][:, 0, 0].tolist() == [2.0, 7.0, 12.0, 17.0]
    assert uni['snippet_mask'].all()
    np.random.seed(0)
    starts = set()
    for _ in range(20):
        win = SampleSnippetsMaxLen(max_len=4, sampling='random')(
            dict(features=feat)
        )['features'][:, 0, 0]
        assert np.array_equal(np.diff(win), np.ones(3))  # consecutive
        starts.add(win[0])
    assert len(starts) > 1 and max(starts) <= 16


def test_segments_transform():
    feat = np.ones((7, 10, 4), np.float32)
    out = SampleSnippetSegments(num_segments=32)(dict(features=feat))
    assert out['features'].shape == (32, 10, 4)
    assert out['num_snippets'] == 32
    with pytest.raises(ValueError, match='num_segments must be positive'):
        SampleSnippetSegments(0)


def test_load_selects_and_averages_crops(tmp_path):
    arr = np.random.default_rng(0).normal(size=(4, 10, 8)).astype(np.float16)
    np.save(tmp_path / 'v_i3d.npy', arr)
    res = dict(feature_paths=[str(tmp_path / 'v_i3d.npy')], video_id='v')
    out = LoadSnippetFeatures(crops=[0, 5], crop_reduce='mean')(dict(res))
    np.testing.assert_allclose(
        out['features'][:, 0], arr[:, [0, 5]].astype(np.float32).mean(1)
    )
    assert out['features'].dtype == np.float32
    with pytest.raises(ValueError, match='has 10 crops, asked for'):
        LoadSnippetFeatures(crops=[10])(dict(res))
    np.save(tmp_path / 'bad.npy', np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r'expected snippet features'):
        LoadSnippetFeatures()(
            dict(feature_paths=[str(tmp_path / 'bad.npy')], video_id='b')
        )


def test_snippet_intervals():
    iv = np.array([[10, 40], [45, 50]])
    assert snippet_intervals(iv, 48, 40, False).tolist() == [[10, 40]]
    assert snippet_intervals(iv, 48, 50, False).tolist() == [
        [10, 40],
        [45, 48],
    ]
    assert snippet_intervals(iv, 48, None, False).tolist() == [
        [10, 40],
        [45, 48],
    ]
    assert snippet_intervals(iv, 48, 40, True).tolist() == [[10, 48]]
    # the event reaching the last real frame (40) runs on to 48
    assert snippet_intervals(np.array([[10, 40]]), 48, 40, True).tolist() == [
        [10, 48]
    ]


def test_pack_train_and_test():
    feat = np.zeros((3, 2, 4), np.float32)
    base = dict(
        features=feat,
        label=2,
        video_id='v',
        snippet_length=16,
        num_snippets=3,
        class_name='Fighting',
        is_anomaly=True,
        snippet_mask=np.array([True, True, False]),
    )
    out = PackSnippetInputs()(dict(base))
    sample = out['data_samples']
    assert out['inputs'].shape == (3, 2, 4)
    assert int(sample.gt_label) == 2
    assert sample.snippet_mask.dtype == torch.bool
    assert 'frame_inds' not in sample and 'total_frames' not in sample
    out = PackSnippetInputs()(
        dict(base, anomaly_intervals=np.array([[5, 60]]))
    )
    sample = out['data_samples']
    assert torch.equal(sample.frame_inds, torch.arange(48))
    assert sample.total_frames == 48
    assert sample.anomaly_intervals.tolist() == [[5, 48]]
