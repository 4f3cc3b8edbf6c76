import numpy as np
import pytest

from fgclip_mm.datasets.transforms import (CenterCropWithBoxes, FlipWithBoxes,
                                           RandomCropWithBoxes,
                                           RandomResizedCropWithBoxes,
                                           ResizeFrames, crop_boxes)


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
        [xs.min() / w,
         ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h])


@pytest.mark.parametrize('transform', [
    ResizeFrames(scale=(40, 30), interpolation='nearest'),
    ResizeFrames(scale=30, interpolation='nearest'),
    CenterCropWithBoxes(crop_size=(50, 40)),
    RandomCropWithBoxes(crop_size=44),
    RandomResizedCropWithBoxes(area_range=(0.7, 1.0)),
    FlipWithBoxes(flip_ratio=1.0),
    FlipWithBoxes(flip_ratio=1.0, direction='vertical'),
])
def test_geometric_transforms_move_boxes_with_the_pixels(transform):
    np.random.seed(0)
    for _ in range(5):
        out = transform(sample_with_box())
        assert out['imgs'].shape[1:3] == out['img_shape']
        for t in range(2):
            assert out['bbox_mask'][t, 0] and not out['bbox_mask'][t, 1]
            np.testing.assert_allclose(
                out['boxes'][t, 0], box_of_white(out['imgs'][t]), atol=1e-6)
            assert np.all(out['boxes'][t, 1] == 0)


def test_crop_masks_boxes_that_leave_the_window():
    boxes = np.array(
        [[[0.0, 0.0, 0.2, 0.2], [0.4, 0.4, 0.6, 0.6], [0.0, 0.0, 1.0, 1.0]]],
        np.float32)
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
