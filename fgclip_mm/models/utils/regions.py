"""Batching of per-sample region slots for the regional branch."""

from typing import List, Tuple

import torch
from mmaction.utils import SampleList

__all__ = ['stack_regions', 'cached_region_pool']


def stack_regions(
    data_samples: SampleList, num_frames: int, device: torch.device
) -> Tuple[torch.Tensor, torch.Tensor, List[List[str]]]:
    """Batch the boxes, masks and region captions of data samples.

    Samples may carry different numbers of region slots; they are padded with
    masked slots.

    Returns:
        tuple: boxes (B, T, N, 4) float, bbox_mask (B, T, N) bool and the
        region captions (B lists of N strings).
    """
    n = max(int(ds.boxes.shape[1]) for ds in data_samples)
    boxes = torch.zeros(len(data_samples), num_frames, n, 4, device=device)
    mask = torch.zeros(
        len(data_samples), num_frames, n, dtype=torch.bool, device=device
    )
    captions = []
    for i, ds in enumerate(data_samples):
        b = torch.as_tensor(ds.boxes, dtype=torch.float32)
        m = torch.as_tensor(ds.bbox_mask, dtype=torch.bool)
        if b.shape[0] != num_frames or m.shape != b.shape[:2]:
            raise ValueError(
                f'sample {getattr(ds, "video_id", i)}: '
                f'boxes {tuple(b.shape)} / '
                f'bbox_mask {tuple(m.shape)} do not match {num_frames} frames'
            )
        boxes[i, :, : b.shape[1]] = b.to(device)
        mask[i, :, : m.shape[1]] = m.to(device)
        caps = list(ds.region_captions) + [''] * (n - len(ds.region_captions))
        captions.append(caps)
    return boxes, mask, captions


def cached_region_pool(
    region_feats: torch.Tensor, bbox_mask: torch.Tensor
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Each region's mean over its valid frames, as :meth:`RoIRegionHead.
    forward` averages its per-frame adapted features (pass the cached RoIAlign
    features through ``RoIRegionHead.adapt`` first to get the same result).

    Args:
        region_feats (Tensor): (B, T, N, D) cached box features.
        bbox_mask (Tensor): (B, T, N) bool.

    Returns:
        tuple[Tensor, Tensor]: (R, D) features and (R, 2) ``(batch index,
        slot)`` of the regions with a valid frame, in the head's order.
    """
    mask = bbox_mask.bool()
    index = mask.any(dim=1).nonzero()  # (R, 2)
    feats = torch.where(
        mask[..., None], region_feats, region_feats.new_zeros(())
    )
    mean = feats.sum(1) / mask.sum(1).clamp(min=1)[..., None].to(feats.dtype)
    return mean[index[:, 0], index[:, 1]], index
