"""The cached-feature pipeline of frozen FG-CLIP training."""

import json

import numpy as np
import pytest
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

import fgclip_mm  # noqa: F401
from fgclip_mm.datasets.transforms import GenerateRegionBoxes
from fgclip_mm.datasets.transforms.cached_features import (
    CachedPipelineError,
    cache_region_boxes,
    cached_frame_count,
    snap_to_cached,
)

init_default_scope('mmaction')

TRACK = [
    dict(frame=4, bbox=[0.1, 0.2, 0.5, 0.6]),
    dict(frame=12, bbox=[0.3, 0.2, 0.7, 0.8]),
]
TOTAL, STRIDE, D = 21, 2, 4


def fake_cache(root, stride=STRIDE, tracks=(TRACK,)):
    """A cache whose value at (cached frame k, slot s) is 100 k + s."""
    num = cached_frame_count(TOTAL, stride)
    slots = 1 + len(tracks) + 1
    feats = (
        100 * np.arange(num)[:, None, None] + np.arange(slots)[None, :, None]
    ) * np.ones(D)
    (root / 'train').mkdir(parents=True, exist_ok=True)
    np.save(root / 'train' / 'vid.npy', feats.astype(np.float32))
    index = dict(
        kind='fgclip_frames',
        frame_stride=stride,
        min_size=0.01,
        fixed_boxes=[[0, 0, 1, 1]],
        splits=dict(
            train=dict(
                vid=dict(
                    path='train/vid.npy',
                    total_frames=TOTAL,
                    fps=10.0,
                    num_cached_frames=num,
                    tracks=list(tracks),
                )
            )
        ),
    )
    (root / 'index.json').write_text(json.dumps(index))
    return str(root)


def sample(label=1, box_infos=(TRACK,), captions=('a person',)):
    return dict(
        video_id='vid',
        label=label,
        box_infos=list(box_infos),
        region_captions=list(captions),
        global_caption='g',
        timestamps=None,
        ann_index=0,
    )


def pipeline(cache, *extra, strategy='virtual_mask'):
    return Compose(
        [
            dict(type='FGCLIPCacheInit', cache_dir=cache),
            dict(type='SampleAnnotatedFrames', clip_len=6),
            dict(type='SnapToCachedFrames'),
            dict(type='GenerateRegionBoxes', max_regions=3, strategy=strategy),
            *extra,
            dict(type='LoadFGCLIPCachedFeatures'),
            dict(type='PackFGCLIPCachedInputs'),
        ]
    )


def test_snapping_to_the_nearest_cached_frame():
    assert cached_frame_count(21, 2) == 11 and cached_frame_count(20, 2) == 10
    assert snap_to_cached(np.array([0, 1, 2, 3, 19, 20]), 2, 10).tolist() == [
        0,
        1,
        1,
        2,
        9,
        9,
    ]  # frame 20 is past the last cached frame (18)
    assert snap_to_cached(np.array([5]), 1, 10).tolist() == [5]


@pytest.mark.parametrize('strategy', ['virtual_mask', 'pseudo'])
def test_cached_boxes_contain_every_generated_box(strategy):
    inds = np.arange(0, 20)
    gen = GenerateRegionBoxes(max_regions=3, strategy=strategy)
    for label, infos in ((1, [TRACK, []]), (0, [[]])):
        out = gen(
            dict(
                frame_inds=inds,
                box_infos=infos,
                label=label,
                region_captions=['x'] * len(infos),
                fps=10.0,
            )
        )
        fixed = [[0, 0, 1, 1], list(gen.pseudo_box)]
        cached = cache_region_boxes([TRACK], fixed, inds, gen.min_size)
        for t, n in np.argwhere(out['bbox_mask']):
            diff = np.abs(cached[t] - out['boxes'][t, n]).max(-1)
            assert diff.min() == 0, (t, n)


def test_pipeline_reads_the_rows_of_the_sampled_frames_and_boxes(tmp_path):
    np.random.seed(0)
    out = pipeline(fake_cache(tmp_path))(sample())
    ds = out['data_samples']
    inds = ds.frame_inds.numpy()
    assert (inds % STRIDE == 0).all() and inds.max() <= TOTAL - 1
    assert out['inputs'].shape == (6, 3, 0, 0)
    frame = ds.frame_feats.numpy()
    assert np.array_equal(frame, np.repeat(100.0 * inds[:, None] / 2, D, 1))
    mask = ds.bbox_mask.numpy()
    assert mask[:, 0].any() and not mask[:, 1:].any()
    region = ds.region_feats.numpy()
    expect = 100.0 * inds[:, None] / 2 + 1  # slot 1 = the track
    assert np.array_equal(
        region[mask[:, 0], 0], np.repeat(expect[mask[:, 0]], D, 1)
    )
    assert not region[~mask].any()


def test_normal_video_gets_the_virtual_box_features(tmp_path):
    np.random.seed(0)
    cache = fake_cache(tmp_path)
    out = pipeline(cache)(sample(label=0, box_infos=[[]]))
    ds = out['data_samples']
    assert ds.bbox_mask[:, 0].all()
    inds = ds.frame_inds.numpy()
    virtual = 100.0 * inds / 2 + 2  # slot 2 = the virtual box
    assert np.array_equal(ds.region_feats[:, 0, 0].numpy(), virtual)


@pytest.mark.parametrize('ratio', [0.0, 1.0])
def test_flip_in_a_cached_pipeline_is_refused(tmp_path, ratio):
    pipe = pipeline(
        fake_cache(tmp_path), dict(type='FlipWithBoxes', flip_ratio=ratio)
    )
    with pytest.raises(CachedPipelineError, match='pixel transforms'):
        pipe(sample())


def test_crop_in_a_cached_pipeline_is_refused(tmp_path):
    pipe = pipeline(
        fake_cache(tmp_path), dict(type='RandomCropWithBoxes', crop_size=32)
    )
    with pytest.raises(CachedPipelineError, match='read the frames'):
        pipe(sample())


def test_a_box_the_cache_lacks_is_an_error(tmp_path):
    other = [dict(frame=4, bbox=[0.0, 0.0, 0.2, 0.2])]
    pipe = pipeline(fake_cache(tmp_path))
    with pytest.raises(ValueError, match='not in the feature cache'):
        pipe(sample(box_infos=[other]))


def test_a_video_the_cache_lacks_is_an_error(tmp_path):
    pipe = pipeline(fake_cache(tmp_path))
    with pytest.raises(KeyError, match='is not in the .train. split'):
        pipe(dict(sample(), video_id='other'))
