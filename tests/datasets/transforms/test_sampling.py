"""SampleAnnotatedFrames(span_sampling='stride'): training clips at the test
stride inside the annotated span (the uniform layout is tested in
test_loading.py)."""

import numpy as np
import pytest

from fgclip_mm.datasets import TimestampSegmentDataset
from fgclip_mm.datasets.transforms import SampleAnnotatedFrames

from .._helpers import REAL_JSON

NORMAL = dict(
    box_infos=[[]],
    timestamps=[10.0, 20.0],  # frames [250, 500) at 25 fps
    fps=25.0,
    total_frames=1000,
    label=0,
)


def stride_sampler(**kwargs):
    kwargs.setdefault('clip_len', 8)
    kwargs.setdefault('frame_interval', 8)
    return SampleAnnotatedFrames(span_sampling='stride', **kwargs)


def test_normal_clip_is_a_window_at_the_stride_inside_the_timestamps():
    np.random.seed(0)
    starts = set()
    for _ in range(100):
        inds = stride_sampler()(dict(NORMAL))['frame_inds']
        assert inds.dtype == np.int64 and inds.shape == (8,)
        assert np.all(np.diff(inds) == 8)
        assert inds[0] >= 250 and inds[-1] < 500
        starts.add(int(inds[0]))
    # random placement over the whole span: starts 250 .. 500 - 57
    assert min(starts) < 260 and max(starts) > 430 and len(starts) > 50
    test = stride_sampler(test_mode=True)(dict(NORMAL))['frame_inds']
    np.testing.assert_array_equal(test, (250 + 443) // 2 + np.arange(8) * 8)


def test_a_span_shorter_than_the_window_is_covered_by_it():
    info = dict(NORMAL, timestamps=[10.0, 11.0])  # frames [250, 275)
    np.random.seed(1)
    for _ in range(30):
        inds = stride_sampler()(dict(info))['frame_inds']
        assert np.all(np.diff(inds) == 8)
        assert inds[0] <= 250 and inds[-1] >= 274
    # a video shorter than the window: its frames at the stride, then the
    # last frame repeated
    short = dict(box_infos=[[]], timestamps=None, fps=25.0, total_frames=30)
    inds = stride_sampler()(short)['frame_inds']
    np.testing.assert_array_equal(inds, [0, 8, 16, 24, 29, 29, 29, 29])


def test_anomaly_window_runs_through_a_keyframe_of_every_region():
    crowded = [
        dict(frame=f, bbox=[0, 0, 0.5, 0.5]) for f in range(100, 400, 7)
    ]
    lonely = [dict(frame=900, bbox=[0.5, 0.5, 1, 1])]
    entry = dict(
        total_frames=1000, fps=30.0, timestamps=None, box_infos=[crowded]
    )
    keyframes = set(range(100, 400, 7))
    np.random.seed(2)
    for _ in range(50):
        inds = stride_sampler()(dict(entry))['frame_inds']
        assert np.all(np.diff(inds) == 8)
        assert keyframes & set(inds.tolist())  # the anchor
        # inside the keyframe span widened by span_margin (1 s)
        assert inds[0] >= 100 - 30 and inds[-1] <= 393 + 30
    both = dict(entry, box_infos=[crowded, lonely])
    for test_mode in (False, True):
        sampler = stride_sampler(test_mode=test_mode)
        for _ in range(20):
            inds = sampler(dict(both))['frame_inds'].tolist()
            assert 900 in inds and keyframes & set(inds)
            # a window at the stride through one region's keyframe, the
            # other region's keyframe in place of one window frame
            assert len(set(inds)) == 8
            assert any(
                np.all(np.diff([g for g in inds if g != f]) == 8)
                for f in set(inds) & (keyframes | {900})
            )


def test_window_layout_is_deterministic_in_test_mode_and_validated():
    info = dict(NORMAL)
    a = stride_sampler(test_mode=True)(dict(info))['frame_inds']
    np.random.seed(3)
    b = stride_sampler(test_mode=True)(dict(info))['frame_inds']
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match='span_sampling must be one of'):
        SampleAnnotatedFrames(span_sampling='window')
    assert "span_sampling='stride'" in repr(stride_sampler())


@pytest.fixture(scope='module')
def real_entries():
    """The real UCF entries with a frame count and rate assumed (the videos
    are not in the repository): 30 fps, 2 s past the last annotation."""
    ds = TimestampSegmentDataset(REAL_JSON, pipeline=[], check_files=False)
    entries = []
    for i in range(0, len(ds), 5):
        info = ds.get_data_info(i)
        frames = [k['frame'] for r in info['box_infos'] or [] for k in r]
        ts = info.get('timestamps')
        last = max(frames + [int(ts[1] * 30) if ts is not None else 0])
        info.update(fps=30.0, total_frames=last + 61)
        entries.append(info)
    return entries


def test_real_training_clips_get_the_test_stride(real_entries):
    """Uniform clips over whole spans: gaps of tens of frames; stride clips:
    the test gap (8) for nearly every pair of neighbouring frames."""
    np.random.seed(4)
    uniform = SampleAnnotatedFrames(clip_len=16)
    stride = stride_sampler(clip_len=16)
    gaps = {}
    for name, sampler in (('uniform', uniform), ('stride', stride)):
        gaps[name] = np.concatenate(
            [np.diff(sampler(dict(e))['frame_inds']) for e in real_entries]
        )
    assert np.median(gaps['uniform']) > 20
    assert np.median(gaps['stride']) == 8
    assert np.mean(gaps['stride'] == 8) > 0.9


def test_regions_sharing_a_keyframe_are_sampled():
    """Two regions annotated on the same frame, a third elsewhere."""
    region = [dict(frame=100, bbox=[0, 0, 0.5, 0.5])]
    entry = dict(
        total_frames=500,
        fps=30.0,
        timestamps=None,
        box_infos=[region, region, [dict(frame=300, bbox=[0, 0, 1, 1])]],
    )
    np.random.seed(5)
    for test_mode in (False, True):
        for _ in range(10):
            inds = stride_sampler(test_mode=test_mode)(dict(entry))
            assert {100, 300} <= set(inds['frame_inds'].tolist())
