import pytest
import torch
from torchvision.ops import roi_align

from fgclip_mm.models.heads.region_head import boxes_to_rois
from fgclip_mm.models.utils.box_pooling import (
    box_pooling_weights,
    pool_fixed_boxes,
)

BOXES = torch.tensor(
    [
        [0.0, 0.0, 1.0, 1.0],  # the full frame
        [0.0, 0.0, 0.5, 0.5],
        [0.31, 0.07, 0.93, 0.66],  # not on cell edges
        [0.9, 0.9, 1.0, 1.0],  # smaller than a cell, at the corner
        [0.2, 0.5, 0.2001, 0.9],  # degenerate width
    ]
)


@pytest.mark.parametrize('output_size', [1, 2, (3, 2), 7])
@pytest.mark.parametrize('sampling_ratio', [0, 2])
@pytest.mark.parametrize('grid_hw', [(8, 8), (5, 7)])
def test_matches_torchvision_roi_align_on_every_frame(
    output_size, sampling_ratio, grid_hw
):
    torch.manual_seed(0)
    frames, dims = 3, 6
    dense = torch.randn(frames, dims, *grid_hw, dtype=torch.float64)
    k = BOXES.shape[0]
    rois = boxes_to_rois(
        BOXES.repeat(frames, 1).double(),
        torch.arange(frames).repeat_interleave(k),
        grid_hw,
    )
    expected = roi_align(
        dense,
        rois,
        output_size,
        spatial_scale=1.0,
        sampling_ratio=sampling_ratio,
        aligned=True,
    ).mean(dim=(2, 3))  # (frames*K, D), frame-major
    weights = box_pooling_weights(
        boxes_to_rois(BOXES.double(), torch.zeros(k), grid_hw),
        grid_hw,
        output_size,
        sampling_ratio,
    )
    got = pool_fixed_boxes(dense, weights)
    assert got.shape == (frames, k, dims)
    torch.testing.assert_close(got.reshape(frames * k, dims), expected)


def test_full_frame_box_weights_are_the_plain_mean():
    # an independent check of the weights: the full-frame box at output 1
    # with 2x2 samples per cell on an even grid averages every cell equally
    weights = box_pooling_weights(
        boxes_to_rois(BOXES[:1].double(), torch.zeros(1), (4, 4)), (4, 4), 4, 2
    )
    torch.testing.assert_close(
        weights, torch.full((1, 16), 1 / 16, dtype=torch.float64)
    )
