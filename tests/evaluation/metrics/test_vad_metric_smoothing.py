"""VADMetric(smooth_kernel=...): each video smoothed after its clips are
merged, across clip boundaries."""

import copy

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d
from sklearn import metrics as skm

from fgclip_mm.evaluation import VADMetric, load_vad_dump

from ._vad_fixtures import VIDEOS, make_samples


def _oracle(samples, kernel):
    """Per video: the merged sampled frames, scipy's moving average with
    repeated edges over the whole video, np.interp in between."""
    out = {}
    for vid, n, intervals, _ in VIDEOS:
        pairs = {}
        for s in samples:
            if s['video_id'] == vid:
                for i, v in zip(
                    s['frame_inds'].tolist(),
                    s['pred_frame_scores'].double().tolist(),
                ):
                    pairs[i] = v  # overlapping clips carry equal scores
        inds = np.array(sorted(pairs))
        vals = np.array([pairs[i] for i in inds])
        smooth = uniform_filter1d(vals, kernel, mode='nearest')
        labels = np.zeros(n, np.uint8)
        for a, b in intervals:
            labels[a:b] = 1
        out[vid] = (np.interp(np.arange(n), inds, smooth), labels)
    return out


def test_each_video_is_smoothed_over_its_merged_clips(tmp_path):
    samples = make_samples(seed=3, clip_len=8)
    dump = str(tmp_path / 'dump.npz')
    metric = VADMetric(smooth_kernel=5, dump_file=dump)
    metric.process(None, copy.deepcopy(samples))
    res = metric.evaluate(len(samples))
    videos, meta = load_vad_dump(dump)
    oracle = _oracle(samples, 5)
    for vid, (scores, _) in oracle.items():
        np.testing.assert_allclose(videos[vid]['scores'], scores, atol=1e-9)
    assert meta['smooth_kernel'] == 5
    labels = np.concatenate([oracle[v[0]][1] for v in sorted(VIDEOS)])
    scores = np.concatenate([oracle[v[0]][0] for v in sorted(VIDEOS)])
    assert res['vad/AUC'] == pytest.approx(
        skm.roc_auc_score(labels, scores), abs=1e-9
    )
    # the smoothing changed the scores (kernel 1 is the plain merge)
    plain = VADMetric(dump_file=str(tmp_path / 'plain.npz'))
    plain.process(None, copy.deepcopy(samples))
    plain.evaluate(len(samples))
    unsmoothed, _ = load_vad_dump(str(tmp_path / 'plain.npz'))
    for vid, (scores, _) in _oracle(samples, 1).items():
        np.testing.assert_allclose(unsmoothed[vid]['scores'], scores)
        assert np.abs(scores - oracle[vid][0]).max() > 1e-3


def test_smoothing_crosses_the_boundary_between_two_clips(tmp_path):
    """Clip 0 scores 0, clip 1 scores 1: smoothed with kernel 3, the last
    sampled frame of clip 0 becomes 1/3 and the first of clip 1 2/3 (inside
    each clip alone both would stay 0 and 1)."""
    clips = [
        dict(
            video_id='v',
            frame_inds=np.arange(k * 32, k * 32 + 32, 8),
            pred_frame_scores=np.full(4, float(k)),
            total_frames=64,
            anomaly_intervals=np.array([[32, 64]]),
            class_name='X',
        )
        for k in (1, 0)
    ]
    normal = dict(clips[0], video_id='n', anomaly_intervals=None)
    clips.append(dict(normal, class_name='Normal'))
    dump = str(tmp_path / 'dump.npz')
    metric = VADMetric(smooth_kernel=3, per_class=False, dump_file=dump)
    metric.process(None, clips)
    metric.evaluate(3)
    scores = load_vad_dump(dump)[0]['v']['scores']
    assert scores[24] == pytest.approx(1 / 3)
    assert scores[32] == pytest.approx(2 / 3)
    assert scores[0] == 0.0 and scores[63] == 1.0


@pytest.mark.parametrize('kernel', [0, 2, 4, -3])
def test_even_or_non_positive_kernels_are_refused(kernel):
    with pytest.raises(ValueError, match='smooth_kernel must be a positive'):
        VADMetric(smooth_kernel=kernel)
