"""RoIAlign of boxes that are the same in every frame, as one matrix product.

RoIAlign is linear in the feature map: a box's pooled feature is a fixed
weighted sum of the grid cells. When the same K boxes are pooled on every frame
(the scorer's full-frame box and grid, at test time), the weights can be
computed once and the pooling of F frames becomes one ``(K, h*w) @ (h*w, D)``
product per frame instead of ``F * K`` bilinear RoIAlign calls.
"""

from typing import Tuple, Union

import torch
from torchvision.ops import roi_align

__all__ = ['box_pooling_weights', 'pool_fixed_boxes']


def box_pooling_weights(
    rois: torch.Tensor,
    grid_hw: Tuple[int, int],
    output_size: Union[int, Tuple[int, int]],
    sampling_ratio: int,
) -> torch.Tensor:
    """Weights of the grid cells in the mean RoIAlign feature of each box.

    Pools a one-hot "image" whose channel ``p`` is 1 at grid cell ``p``, so
    the result is exactly what ``roi_align(..., aligned=True)`` followed by a
    mean over its output grid computes, for any feature map of that size.

    Args:
        rois (Tensor): (K, 5) rows ``[0, x1, y1, x2, y2]`` in grid
            coordinates (see ``boxes_to_rois``).
        grid_hw (tuple[int, int]): (h, w) of the feature map.
        output_size (int | tuple[int, int]): RoIAlign output size.
        sampling_ratio (int): RoIAlign sampling ratio.

    Returns:
        Tensor: (K, h * w) weights, dtype and device of ``rois``.
    """
    h, w = grid_hw
    one_hot = torch.eye(h * w, dtype=rois.dtype, device=rois.device)
    pooled = roi_align(
        one_hot.reshape(1, h * w, h, w),
        rois,
        output_size,
        spatial_scale=1.0,
        sampling_ratio=sampling_ratio,
        aligned=True,
    )  # (K, h*w, oh, ow)
    return pooled.mean(dim=(2, 3))


def pool_fixed_boxes(
    dense: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """Mean RoIAlign features of the same boxes in every frame.

    Args:
        dense (Tensor): (F, D, h, w) feature maps of F frames.
        weights (Tensor): (K, h * w) from :func:`box_pooling_weights`.

    Returns:
        Tensor: (F, K, D).
    """
    f, d, h, w = dense.shape
    return torch.matmul(weights.to(dense.dtype), dense.reshape(f, d, h * w).mT)
