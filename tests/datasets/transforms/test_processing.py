import numpy as np
import pytest

from fgclip_mm.datasets.transforms import (
    CenterCropWithBoxes,
    FlipWithBoxes,
    RandomCropWithBoxes,
    RandomResizedCropWithBoxes,
    ResizeFrames,
    crop_boxes,
)


def sample_with_box(h=60, w=80, box_px=(20, 10, 40, 30)):
    """One frame per t with a white rectangle at ``box_px`` (x1, y1, x2, y2),
    plus a masked slot."""
    imgs = np.zeros((2, h, w, 3), np.uint8)
    x1, y1, x2, y2 = box_px
    imgs[:, y1:y2, x1:x2] = 255
    boxes = np.zeros((2, 2, 4), np.float32)
    boxes[:, 0] = [x1 / w, y1 / h, x2 / w, y2 / h]
    mask = np.array([[True, False], [True, False]])
    return dict(imgs=imgs, boxes=boxes, bbox_mask=mask, img_shape=(h, w))


def box_of_white(img):
    ys, xs = np.nonzero(img[..., 0] > 127)
    h, w = img.shape[:2]
    return np.array(
        [xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h]
    )


@pytest.mark.parametrize(
    'transform',
    [
        ResizeFrames(scale=(40, 30), interpolation='nearest'),
        ResizeFrames(scale=30, interpolation='nearest'),
        CenterCropWithBoxes(crop_size=(50, 40)),
        RandomCropWithBoxes(crop_size=44),
        RandomResizedCropWithBoxes(area_range=(0.7, 1.0)),
        FlipWithBoxes(flip_ratio=1.0),
        FlipWithBoxes(flip_ratio=1.0, direction='vertical'),
    ],
)
def test_geometric_transforms_move_boxes_with_the_pixels(transform):
    np.random.seed(0)
    for _ in range(5):
        out = transform(sample_with_box())
        assert out['imgs'].shape[1:3] == out['img_shape']
        for t in range(2):
            assert out['bbox_mask'][t, 0] and not out['bbox_mask'][t, 1]
            np.testing.assert_allclose(
                out['boxes'][t, 0], box_of_white(out['imgs'][t]), atol=1e-6
            )
            assert np.all(out['boxes'][t, 1] == 0)


def test_crop_masks_boxes_that_leave_the_window():
    boxes = np.array(
        [[[0.0, 0.0, 0.2, 0.2], [0.4, 0.4, 0.6, 0.6], [0.0, 0.0, 1.0, 1.0]]],
        np.float32,
    )
    mask = np.ones((1, 3), bool)
    out, new_mask = crop_boxes(boxes, mask, (0.3, 0.3, 0.9, 0.9))
    assert new_mask.tolist() == [[False, True, True]]
    np.testing.assert_allclose(out[0, 1], [1 / 6, 1 / 6, 0.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(out[0, 2], [0, 0, 1, 1])  # virtual box stays
    assert np.all(out[0, 0] == 0)


def test_flip_ratio_zero_is_identity():
    sample = sample_with_box()
    out = FlipWithBoxes(flip_ratio=0.0)(dict(sample))
    assert out['flip'] is False
    np.testing.assert_array_equal(out['boxes'], sample['boxes'])


def test_fixed_size_crops_share_one_implementation():
    from mmaction.registry import TRANSFORMS

    from fgclip_mm.datasets.transforms.processing import _FixedCropWithBoxes

    for cls in (RandomCropWithBoxes, CenterCropWithBoxes):
        assert issubclass(cls, _FixedCropWithBoxes)
        # only the window offset differs
        assert not {'__init__', '_window', '__repr__'} & set(vars(cls))
    # both registered names keep their arguments
    for name in ('RandomCropWithBoxes', 'CenterCropWithBoxes'):
        t = TRANSFORMS.build(dict(type=name, crop_size=(10, 20), min_size=0.1))
        assert (t.crop_size, t.min_size) == ((10, 20), 0.1)
        assert repr(t) == f'{name}(crop_size=(10, 20))'


def test_fixed_size_crop_windows():
    # centre: (80 - 50) // 2, (60 - 40) // 2
    out = CenterCropWithBoxes(crop_size=(50, 40))(sample_with_box())
    assert out['crop_bbox'].tolist() == [15, 10, 65, 50]
    assert out['img_shape'] == (40, 50)
    # larger than the image: clipped to it
    out = CenterCropWithBoxes(crop_size=100)(sample_with_box())
    assert out['crop_bbox'].tolist() == [0, 0, 80, 60]
    # random: x drawn before y, each uniform over the free room (oracle:
    # the same draws from an identically seeded generator)
    np.random.seed(5)
    got = [
        RandomCropWithBoxes(crop_size=44)(sample_with_box())['crop_bbox']
        for _ in range(50)
    ]
    rng = np.random.RandomState(5)
    for bbox in got:
        x, y = rng.randint(0, 80 - 44 + 1), rng.randint(0, 60 - 44 + 1)
        assert bbox.tolist() == [x, y, x + 44, y + 44]
    np.random.seed(0)
    seen = {
        tuple(
            RandomCropWithBoxes(crop_size=(78, 59))(sample_with_box())[
                'crop_bbox'
            ][:2].tolist()
        )
        for _ in range(200)
    }
    assert seen == {(x, y) for x in range(3) for y in range(2)}


def flipped_captions(direction='horizontal', **kwargs):
    sample = dict(
        sample_with_box(),
        global_caption='A man on the left side hits the Right-Hand door.',
        region_captions=['the LEFT car turned right', ''],
        short_caption='Then left.',
    )
    return FlipWithBoxes(flip_ratio=1.0, direction=direction, **kwargs)(sample)


def test_horizontal_flip_mirrors_spatial_words_of_all_captions():
    out = flipped_captions()
    assert out['global_caption'] == (
        'A man on the right side hits the Left-Hand door.'
    )
    assert out['region_captions'] == ['the RIGHT car turned left', '']
    # the verb "left" is no direction
    assert out['short_caption'] == 'Then left.'
    # no flip, no change
    kept = FlipWithBoxes(flip_ratio=0.0)(
        dict(sample_with_box(), global_caption='on the left')
    )
    assert kept['global_caption'] == 'on the left'


def test_caption_flip_map_is_configurable_and_can_be_disabled():
    out = flipped_captions(caption_flip_map={})
    assert out['global_caption'] == (
        'A man on the left side hits the Right-Hand door.'
    )
    # a plain word map, as MMAction2's flip_label_map maps labels
    out = flipped_captions(caption_flip_map=dict(left='right', right='left'))
    assert out['short_caption'] == 'Then right.'
    assert out['region_captions'][0] == 'the RIGHT car turned left'
    with pytest.raises(ValueError, match='same .*number of words'):
        FlipWithBoxes(caption_flip_map={'left side': 'right'})


def test_vertical_flip_mirrors_vertical_words_only():
    out = FlipWithBoxes(flip_ratio=1.0, direction='vertical')(
        dict(
            sample_with_box(),
            global_caption='A lamp above the top left corner, on the left.',
        )
    )
    assert out['global_caption'] == (
        'A lamp below the bottom left corner, on the left.'
    )


def test_default_flip_keeps_every_real_caption_without_spatial_words():
    """All 12 "left"s of the real UCF-Crime captions are the verb; none of
    the real captions has a spatial left/right, so a flip changes none."""
    import gzip
    import json

    from .._helpers import REAL_JSON

    with gzip.open(REAL_JSON, 'rt') as f:
        entries = json.load(f)
    captions = [
        c
        for e in entries
        for c in [e.get('global_caption') or ''] + e['region_captions']
    ]
    flip = FlipWithBoxes(flip_ratio=1.0)
    with_left = [c for c in captions if ' left' in c]
    assert len(with_left) >= 12
    out = flip(dict(sample_with_box(), region_captions=list(captions)))
    assert out['region_captions'] == captions
