import numpy as np
import pytest

from fgclip_mm.datasets import TimestampSegmentDataset
from fgclip_mm.datasets.transforms import (
    GenerateRegionBoxes,
    SampleAnnotatedFrames,
    interpolate_region_boxes,
)

from .._helpers import REAL_JSON


@pytest.fixture(scope='module')
def abuse006():
    """Real anomalous entry: regions with keyframes [247, 273, 291, 341, 440],
    [626, 838] and [1083, 1174, 1252]."""
    ds = TimestampSegmentDataset(REAL_JSON, pipeline=[], check_files=False)
    info = ds.get_data_info(5)
    info.update(total_frames=1500, fps=30.0)
    return info


def test_real_entry_boxes_exact_on_keyframes_linear_between_masked_outside(
    abuse006,
):
    region = abuse006['box_infos'][0]
    kf = {k['frame']: np.asarray(k['bbox'], np.float32) for k in region}
    frames = np.array(
        [
            200,
            247,
            260,
            273,
            291,
            316,
            341,
            440,
            460,
            500,
            626,
            700,
            838,
            1083,
            1252,
        ]
    )
    out = GenerateRegionBoxes(
        max_regions=4, keyframe_tolerance=0.5, min_size=0.0
    )(dict(abuse006, frame_inds=frames))
    boxes, mask = out['boxes'], out['bbox_mask']
    assert boxes.shape == (15, 4, 4) and boxes.dtype == np.float32
    assert mask.shape == (15, 4) and mask.dtype == bool
    t = {int(f): i for i, f in enumerate(frames)}
    # exact on keyframes
    for f in (247, 273, 291, 341, 440):
        np.testing.assert_array_equal(boxes[t[f], 0], kf[f])
    # linear between keyframes
    np.testing.assert_allclose(
        boxes[t[260], 0], (kf[247] + kf[273]) / 2, atol=1e-6
    )
    np.testing.assert_allclose(
        boxes[t[316], 0], (kf[291] + kf[341]) / 2, atol=1e-6
    )
    # 47 frames before the first keyframe: beyond the tolerance (0.5 s = 15
    # frames; test_keyframe_tolerance_is_seconds_at_the_video_fps checks it)
    assert not mask[t[200], 0]
    # masked outside the region's span (+-0.5 s), zeros there
    assert mask[:, 0].tolist() == [f <= 440 and f >= 247 for f in frames]
    assert np.all(boxes[~mask] == 0)
    # region 1's keyframes 626 and 838 are 7.1 s apart (30 fps), more than
    # the default max_interp_gap (5 s): frame 700 in between is masked
    assert [k['frame'] for k in abuse006['box_infos'][1]] == [626, 838]
    assert mask[:, 1].tolist() == [f in (626, 838) for f in frames]
    assert mask[:, 2].tolist() == [1083 <= f <= 1252 for f in frames]
    assert not mask[:, 3].any()
    assert out['region_captions'][:3] == abuse006['region_captions']
    assert out['region_captions'][3] == ''


def test_sampled_clip_of_real_entry_has_keyframe_boxes(abuse006):
    np.random.seed(0)
    results = SampleAnnotatedFrames(clip_len=8)(dict(abuse006))
    results = GenerateRegionBoxes(max_regions=3)(results)
    keyframes = {
        k['frame']: (n, k['bbox'])
        for n, r in enumerate(abuse006['box_infos'])
        for k in r
    }
    hits = 0
    for t, f in enumerate(results['frame_inds'].tolist()):
        if f in keyframes:
            n, bbox = keyframes[f]
            assert results['bbox_mask'][t, n]
            np.testing.assert_allclose(results['boxes'][t, n], bbox, atol=1e-7)
            hits += 1
    assert hits >= 1


def test_keyframe_tolerance_around_single_keyframe():
    region = [dict(frame=100, bbox=[0.2, 0.2, 0.4, 0.4])]
    frames = np.array([80, 89, 90, 100, 110, 111])
    boxes, valid = interpolate_region_boxes(region, frames, tolerance=10)
    assert valid.tolist() == [False, False, True, True, True, False]
    np.testing.assert_allclose(boxes[valid], [[0.2, 0.2, 0.4, 0.4]] * 3)


def test_normal_video_gets_virtual_box_on_every_frame():
    info = dict(
        frame_inds=np.arange(8),
        box_infos=[[]],
        region_captions=['people walk'],
        label=0,
        fps=30.0,
    )
    out = GenerateRegionBoxes(max_regions=2)(info)
    np.testing.assert_array_equal(out['boxes'][:, 0], [[0, 0, 1, 1]] * 8)
    assert out['bbox_mask'][:, 0].all() and not out['bbox_mask'][:, 1].any()
    assert out['region_captions'] == ['people walk', '']


def test_min_size_and_clamping():
    region = [
        dict(frame=0, bbox=[0.5, 0.5, 0.5, 0.52]),
        dict(frame=10, bbox=[0.995, 0.1, 1.0, 0.2]),
    ]
    out = GenerateRegionBoxes(max_regions=1, min_size=0.05)(
        dict(
            frame_inds=np.array([0, 10]),
            box_infos=[region],
            region_captions=['x'],
            label=1,
            fps=10.0,
        )
    )
    b = out['boxes'][:, 0]
    np.testing.assert_allclose(b[:, 2] - b[:, 0], 0.05, atol=1e-6)
    np.testing.assert_allclose(b[:, 3] - b[:, 1], [0.05, 0.1], atol=1e-6)
    assert b.min() >= 0 and b.max() <= 1
    np.testing.assert_allclose(b[1, 2], 1.0)


def test_max_regions_keeps_regions_valid_on_most_frames():
    regions = [
        [dict(frame=f, bbox=[0.1, 0.1, 0.2, 0.2])] for f in (0, 50, 51, 52)
    ]
    info = dict(
        frame_inds=np.array([50, 51, 51, 52, 52]),
        box_infos=regions,
        region_captions=['a', 'b', 'c', 'd'],
        label=1,
        fps=1.0,
    )
    out = GenerateRegionBoxes(max_regions=2, keyframe_tolerance=0)(info)
    assert out['region_captions'] == ['c', 'd']  # 2 frames each, vs 1 for b


def test_bbox_strategies_of_ablation_d():
    normal = dict(
        frame_inds=np.arange(4),
        box_infos=[[]],
        region_captions=['calm'],
        label=0,
        fps=10.0,
    )
    no_box_anomaly = dict(normal, label=3, box_infos=[], region_captions=[])
    span = dict(
        normal,
        label=3,
        region_captions=['fight'],
        box_infos=[[dict(frame=2, bbox=[0.1, 0.2, 0.3, 0.4])]],
    )
    # virtual box + mask
    assert GenerateRegionBoxes()(dict(no_box_anomaly))['bbox_mask'].sum() == 0
    # drop: samples without a real box are dropped (None)
    drop = GenerateRegionBoxes(strategy='drop', keyframe_tolerance=0)
    assert drop(dict(normal)) is None
    assert drop(dict(no_box_anomaly)) is None
    assert drop(dict(span))['bbox_mask'][:, 0].tolist() == [
        False,
        False,
        True,
        False,
    ]
    # pseudo: every region valid on every frame
    pseudo = GenerateRegionBoxes(
        strategy='pseudo', max_regions=1, pseudo_box=(0.25, 0.25, 0.75, 0.75)
    )
    out = pseudo(dict(normal))
    assert out['bbox_mask'].all()
    np.testing.assert_allclose(
        out['boxes'][:, 0], [[0.25, 0.25, 0.75, 0.75]] * 4
    )
    out = pseudo(dict(span))
    assert out['bbox_mask'].all()
    np.testing.assert_allclose(
        out['boxes'][:, 0], [[0.1, 0.2, 0.3, 0.4]] * 4, atol=1e-7
    )


def region_sample(region, frames, fps=30.0, label=1):
    return dict(
        frame_inds=np.asarray(frames),
        box_infos=[region],
        region_captions=['x'],
        label=label,
        fps=fps,
    )


def test_keyframe_tolerance_is_seconds_at_the_video_fps():
    a, b = [0.1, 0.1, 0.3, 0.3], [0.5, 0.5, 0.7, 0.7]
    region = [dict(frame=100, bbox=a), dict(frame=200, bbox=b)]
    # 20 and 10 frames before the first keyframe, 10 and 20 after the last
    frames = [80, 90, 100, 200, 210, 220]
    gen = GenerateRegionBoxes(
        max_regions=1, keyframe_tolerance=0.5, min_size=0.0
    )
    out = gen(region_sample(region, frames, fps=30.0))  # 0.5 s = 15 frames
    assert out['bbox_mask'][:, 0].tolist() == [
        False,
        True,
        True,
        True,
        True,
        False,
    ]
    # held at the nearest keyframe's box inside the tolerance
    np.testing.assert_allclose(out['boxes'][[1, 4], 0], [a, b], atol=1e-7)
    assert np.all(out['boxes'][[0, 5], 0] == 0)
    # at 10 fps the same 0.5 s is 5 frames: 10 frames away is masked
    out = gen(region_sample(region, frames, fps=10.0))
    assert out['bbox_mask'][:, 0].tolist() == [
        False,
        False,
        True,
        True,
        False,
        False,
    ]


def test_anomalous_region_without_keyframes_per_strategy():
    """An anomalous entry whose (captioned) region has no keyframes: masked
    under 'virtual_mask' (no virtual box, unlike a normal video), dropped
    under 'drop', the pseudo box under 'pseudo'."""
    sample = region_sample([], np.arange(4), label=3)
    out = GenerateRegionBoxes(max_regions=2)(dict(sample))
    assert not out['bbox_mask'].any() and np.all(out['boxes'] == 0)
    assert out['region_captions'] == ['x', '']
    normal = GenerateRegionBoxes(max_regions=2)(dict(sample, label=0))
    assert normal['bbox_mask'][:, 0].all()
    assert GenerateRegionBoxes(strategy='drop')(dict(sample)) is None
    out = GenerateRegionBoxes(
        strategy='pseudo', max_regions=1, pseudo_box=(0.2, 0.3, 0.6, 0.7)
    )(dict(sample))
    assert out['bbox_mask'].all()
    np.testing.assert_allclose(
        out['boxes'][:, 0], [[0.2, 0.3, 0.6, 0.7]] * 4, atol=1e-7
    )


def test_pseudo_holds_keyframe_boxes_beyond_any_tolerance():
    a, b = [0.1, 0.1, 0.3, 0.3], [0.5, 0.5, 0.7, 0.7]
    region = [dict(frame=10, bbox=a), dict(frame=20, bbox=b)]
    frames = [0, 10, 15, 20, 100]
    sample = region_sample(region, frames)
    kwargs = dict(max_regions=1, keyframe_tolerance=0.0, min_size=0.0)
    masked = GenerateRegionBoxes(**kwargs)(dict(sample))
    assert masked['bbox_mask'][:, 0].tolist() == [
        False,
        True,
        True,
        True,
        False,
    ]
    out = GenerateRegionBoxes(strategy='pseudo', **kwargs)(dict(sample))
    assert out['bbox_mask'].all()
    mid = (np.asarray(a) + np.asarray(b)) / 2
    np.testing.assert_allclose(
        out['boxes'][:, 0], [a, a, mid, b, b], atol=1e-7
    )


def test_no_interpolation_across_keyframes_further_apart_than_the_gap():
    keyframes = [
        dict(frame=0, bbox=[0, 0, 0.2, 0.2]),
        dict(frame=300, bbox=[0.8, 0.8, 1, 1]),
        dict(frame=330, bbox=[0.6, 0.6, 0.8, 0.8]),
    ]
    frames = np.array([0, 10, 20, 150, 290, 300, 315, 330])
    # 30 fps: tolerance 0.5 s = 15 frames, gap limit 5 s = 150 frames
    out = GenerateRegionBoxes(
        max_regions=1, keyframe_tolerance=0.5, max_interp_gap=5.0, min_size=0.0
    )(
        dict(
            frame_inds=frames,
            box_infos=[keyframes],
            region_captions=['a'],
            label=1,
            fps=30.0,
        )
    )
    # 0 -> 300 is 10 s: only frames within 15 of a keyframe stay valid;
    # 300 -> 330 is 1 s: interpolated
    assert out['bbox_mask'][:, 0].tolist() == [
        True,
        True,
        False,
        False,
        True,
        True,
        True,
        True,
    ]
    np.testing.assert_allclose(
        out['boxes'][6, 0], [0.7, 0.7, 0.9, 0.9], atol=1e-6
    )
    unlimited = GenerateRegionBoxes(
        max_regions=1,
        keyframe_tolerance=0.5,
        max_interp_gap=None,
        min_size=0.0,
    )(
        dict(
            frame_inds=frames,
            box_infos=[keyframes],
            region_captions=['a'],
            label=1,
            fps=30.0,
        )
    )
    assert unlimited['bbox_mask'][:, 0].all()
