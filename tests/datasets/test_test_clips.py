import numpy as np
import pytest

from fgclip_mm.annotations import AnnotationError
from fgclip_mm.datasets.test_clips import (
    check_test_intervals,
    cover_video_with_clips,
    expand_clips,
)


@pytest.mark.parametrize(
    'total, clip_len, interval',
    [(100, 16, 1), (16, 16, 1), (5, 8, 1), (1412, 8, 4), (37, 4, 3)],
)
def test_cover_video_with_clips(total, clip_len, interval):
    clips = cover_video_with_clips(total, clip_len, interval)
    allf = np.concatenate(clips)
    assert all(c.shape == (clip_len,) for c in clips)
    assert allf.min() == 0 and allf.max() == total - 1
    if interval == 1:
        assert set(allf.tolist()) == set(range(total))
    for c in clips:  # each clip is regular unless the video is too short
        if total >= clip_len * interval:
            assert np.all(np.diff(c) == interval)
    # consecutive sampled frames are never more than `interval` apart
    assert np.diff(np.unique(allf)).max() <= interval


def test_intervals_past_the_end_are_clipped_and_late_ones_refused():
    iv = np.array([[10, 20], [90, 102]], dtype=np.int64)
    np.testing.assert_array_equal(
        check_test_intervals(iv, 100, 'v'), [[10, 20], [90, 100]]
    )
    with pytest.raises(
        AnnotationError,
        match=r'v: .*\[\[100, 110\]\] start '
        r'at or after the end of the video \(100 frames\)',
    ):
        check_test_intervals(np.array([[100, 110]]), 100, 'v')
    with pytest.raises(AnnotationError, match='must be positive, got 0'):
        check_test_intervals(iv, 0, 'v')


def test_expand_clips_uses_record_then_counts_then_probe():
    probed = []

    def probe(rec):
        probed.append(rec['video_id'])
        return 10

    none = np.zeros((0, 2), dtype=np.int64)
    records = [
        dict(video_id='a', total_frames=20, anomaly_intervals=none),
        dict(
            video_id='b',
            total_frames=None,
            anomaly_intervals=np.array([[0, 40]]),
        ),
        dict(video_id='c', anomaly_intervals=none),
    ]
    clips, clipped = expand_clips(
        records, 8, 1, {'b': 33, 'a': 999}, probe, lambda r: r['video_id']
    )
    per_video = {}
    for c in clips:
        per_video.setdefault(c['video_id'], []).append(c)
    assert [c['total_frames'] for c in clips[:1]] == [20]
    assert per_video['b'][0]['total_frames'] == 33
    assert per_video['c'][0]['total_frames'] == 10 and probed == ['c']
    assert clipped == 1  # b: [0, 40) clipped to 33 frames
    assert per_video['b'][0]['anomaly_intervals'].tolist() == [[0, 33]]
    for vid, cs in per_video.items():
        assert [c['clip_index'] for c in cs] == list(range(len(cs)))
        assert all(c['num_clips'] == len(cs) for c in cs)
        covered = np.unique(np.concatenate([c['frame_inds'] for c in cs]))
        assert covered.tolist() == list(range(cs[0]['total_frames']))
