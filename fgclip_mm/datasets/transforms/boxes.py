"""Per-frame region boxes from keyframe annotations."""

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

VIRTUAL_BOX = (0.0, 0.0, 1.0, 1.0)


def interpolate_region_boxes(
    keyframes: Sequence[dict],
    frame_inds: np.ndarray,
    tolerance: float = 0.0,
    max_gap: float = np.inf,
) -> Tuple[np.ndarray, np.ndarray]:
    """Boxes of one region at the sampled frames.

    Between two keyframes the box is interpolated linearly (each coordinate);
    on a keyframe it is exactly the keyframe box; within ``tolerance`` frames
    before the first / after the last keyframe it is held at that keyframe's
    box (this is what gives a region annotated on a single keyframe a few
    frames of extent); further away the frame is masked. Between two
    keyframes more than ``max_gap`` frames apart, a position would be
    invented: only frames within ``tolerance`` of either keyframe are valid.

    Args:
        keyframes (Sequence[dict]): ``dict(frame=int, bbox=[x1, y1, x2, y2])``
            sorted by frame.
        frame_inds (np.ndarray): ``(T,)`` absolute frame indices.
        tolerance (float): Frames of validity around the annotated span.
            Defaults to 0.
        max_gap (float): Longest keyframe gap (frames) interpolated across.
            Defaults to no limit.

    Returns:
        tuple[np.ndarray, np.ndarray]: boxes float32 ``(T, 4)`` (zeros where
        masked) and valid bool ``(T,)``.
    """
    t = np.asarray(frame_inds, dtype=np.float64)
    boxes = np.zeros((len(t), 4), dtype=np.float32)
    if not keyframes:
        return boxes, np.zeros(len(t), dtype=bool)
    kf_t = np.asarray([k['frame'] for k in keyframes], dtype=np.float64)
    kf_b = np.asarray([k['bbox'] for k in keyframes], dtype=np.float64)
    valid = (t >= kf_t[0] - tolerance) & (t <= kf_t[-1] + tolerance)
    valid &= ~_in_long_gap(t, kf_t, tolerance, max_gap)
    for c in range(4):  # np.interp holds the end values outside the span
        boxes[:, c] = np.interp(t, kf_t, kf_b[:, c])
    boxes[~valid] = 0
    return boxes, valid


def _in_long_gap(
    t: np.ndarray, kf_t: np.ndarray, tolerance: float, max_gap: float
) -> np.ndarray:
    """Frames between two keyframes more than ``max_gap`` apart and further
    than ``tolerance`` from both."""
    if len(kf_t) < 2 or not np.isfinite(max_gap):
        return np.zeros(len(t), dtype=bool)
    right = np.clip(np.searchsorted(kf_t, t), 1, len(kf_t) - 1)
    lo, hi = kf_t[right - 1], kf_t[right]
    inside = (t > lo) & (t < hi)
    far = np.minimum(t - lo, hi - t) > tolerance
    return inside & far & (hi - lo > max_gap)


def sanitize_boxes(
    boxes: np.ndarray, valid: np.ndarray, min_size: float
) -> np.ndarray:
    """Clamp boxes to ``[0, 1]`` and grow those thinner than ``min_size``
    around their centre (staying inside the image); masked boxes become 0.

    Args:
        boxes (np.ndarray): ``(..., 4)`` normalised x1y1x2y2.
        valid (np.ndarray): ``(...)`` bool.
        min_size (float): Minimum width and height.

    Returns:
        np.ndarray: float32 boxes of the same shape.
    """
    boxes = np.clip(np.asarray(boxes, dtype=np.float32), 0.0, 1.0)
    for lo, hi in ((0, 2), (1, 3)):
        size = boxes[..., hi] - boxes[..., lo]
        small = size < min_size
        if np.any(small):
            centre = (boxes[..., lo] + boxes[..., hi]) / 2
            new_lo = np.clip(centre - min_size / 2, 0.0, 1.0 - min_size)
            boxes[..., lo] = np.where(small, new_lo, boxes[..., lo])
            boxes[..., hi] = np.where(small, new_lo + min_size, boxes[..., hi])
    boxes[~np.asarray(valid, dtype=bool)] = 0
    return boxes


@TRANSFORMS.register_module()
class GenerateRegionBoxes(BaseTransform):
    """Boxes and validity mask of up to ``max_regions`` regions on every
    sampled frame.

    Regions with keyframes are interpolated
    (:func:`interpolate_region_boxes`), valid within ``keyframe_tolerance``
    seconds of their annotated span and masked elsewhere. What samples and
    regions *without* keyframes get is the ``strategy`` (ablation D):

    - ``'virtual_mask'`` (the method): a normal video (label 0) gets the
      virtual box ``[0, 0, 1, 1]``, valid on every frame, for each of its
      regions without keyframes (usually its one region caption); regions of
      anomalous videos without keyframes are masked on every frame.
    - ``'pseudo'``: every region is valid on every frame: a region with
      keyframes holds its nearest keyframe box outside its span, one without
      gets ``pseudo_box`` (a fixed stand-in for detector output; put real
      detector boxes into ``box_infos`` to use them instead).
    - ``'drop'``: as ``'virtual_mask'`` without virtual boxes; a sample with no
      valid box in the clip (every normal video, and anomalous clips that miss
      all regions) returns ``None``, so that the training dataset draws another
      sample.

    When an entry has more regions than ``max_regions``, those valid on the
    most sampled frames are kept (in annotation order). Slots beyond the
    regions are masked and get the caption ``''``.

    Required Keys:

        - frame_inds
        - box_infos
        - region_captions
        - label
        - fps (when a region has keyframes and ``keyframe_tolerance > 0`` or
          ``max_interp_gap`` is set)

    Modified Keys:

        - region_captions (padded to ``max_regions``)

    Added Keys:

        - boxes (np.float32 ``(T, N, 4)``, normalised x1y1x2y2, 0 where masked)
        - bbox_mask (np.bool ``(T, N)``)

    Args:
        max_regions (int): Region slots ``N``. Defaults to 4.
        keyframe_tolerance (float): Seconds a region stays valid before its
            first and after its last keyframe (matters most for regions
            annotated on one keyframe). Defaults to 0.5.
        min_size (float): Minimum normalised width/height of a box; thinner
            boxes are grown around their centre. Defaults to 0.01.
        strategy (str): ``'virtual_mask'``, ``'pseudo'`` or ``'drop'``.
            Defaults to ``'virtual_mask'``.
        pseudo_box (Sequence[float]): The box of regions without keyframes
            under ``'pseudo'``. Defaults to ``(0.1, 0.1, 0.9, 0.9)``.
        max_interp_gap (float, optional): Seconds; a box is not interpolated
            across keyframes further apart (frames there are masked unless
            within ``keyframe_tolerance`` of a keyframe). None: no limit.
            Defaults to 5.0.
    """

    STRATEGIES = ('virtual_mask', 'pseudo', 'drop')

    def __init__(
        self,
        max_regions: int = 4,
        keyframe_tolerance: float = 0.5,
        min_size: float = 0.01,
        strategy: str = 'virtual_mask',
        pseudo_box: Sequence[float] = (0.1, 0.1, 0.9, 0.9),
        max_interp_gap: Optional[float] = 5.0,
    ) -> None:
        if strategy not in self.STRATEGIES:
            raise ValueError(
                f'strategy must be one of {self.STRATEGIES}, got {strategy!r}'
            )
        if max_regions <= 0:
            raise ValueError('max_regions must be positive')
        if not 0 <= min_size <= 1:
            raise ValueError('min_size must be in [0, 1]')
        self.max_regions = max_regions
        self.keyframe_tolerance = keyframe_tolerance
        self.min_size = min_size
        self.strategy = strategy
        self.pseudo_box = tuple(float(v) for v in pseudo_box)
        self.max_interp_gap = max_interp_gap

    def _region(
        self,
        keyframes: List[dict],
        frame_inds: np.ndarray,
        tolerance: float,
        max_gap: float,
        is_normal: bool,
    ) -> Tuple[np.ndarray, np.ndarray]:
        num = len(frame_inds)
        if keyframes:
            if self.strategy == 'pseudo':
                boxes, _ = interpolate_region_boxes(
                    keyframes, frame_inds, np.inf
                )
                return boxes, np.ones(num, dtype=bool)
            return interpolate_region_boxes(
                keyframes, frame_inds, tolerance, max_gap
            )
        if self.strategy == 'pseudo':
            return (
                np.tile(np.asarray(self.pseudo_box, np.float32), (num, 1)),
                np.ones(num, dtype=bool),
            )
        if self.strategy == 'virtual_mask' and is_normal:
            return (
                np.tile(np.asarray(VIRTUAL_BOX, np.float32), (num, 1)),
                np.ones(num, dtype=bool),
            )
        return np.zeros((num, 4), np.float32), np.zeros(num, dtype=bool)

    def _frame_limits(
        self, results: Dict, has_regions: bool
    ) -> Tuple[float, float]:
        """Keyframe tolerance and maximum interpolation gap in frames."""
        tolerance, max_gap = 0.0, np.inf
        if has_regions and self.keyframe_tolerance > 0:
            tolerance = self.keyframe_tolerance * float(results['fps'])
        if has_regions and self.max_interp_gap is not None:
            max_gap = self.max_interp_gap * float(results['fps'])
        return tolerance, max_gap

    def transform(self, results: Dict) -> Optional[Dict]:
        frame_inds = np.asarray(results['frame_inds'], dtype=np.int64)
        regions = list(results.get('box_infos') or [])
        captions = list(results.get('region_captions') or [])
        captions += [''] * (len(regions) - len(captions))
        regions += [[]] * (len(captions) - len(regions))
        is_normal = int(results['label']) == 0
        tolerance, max_gap = self._frame_limits(results, any(regions))
        per_region = [
            self._region(r, frame_inds, tolerance, max_gap, is_normal)
            for r in regions
        ]
        keep = sorted(
            range(len(regions)),
            key=lambda i: (-int(per_region[i][1].sum()), i),
        )[: self.max_regions]
        keep.sort()

        num_t, num_n = len(frame_inds), self.max_regions
        boxes = np.zeros((num_t, num_n, 4), dtype=np.float32)
        mask = np.zeros((num_t, num_n), dtype=bool)
        slot_captions = [''] * num_n
        for slot, i in enumerate(keep):
            boxes[:, slot], mask[:, slot] = per_region[i]
            slot_captions[slot] = captions[i]
        boxes = sanitize_boxes(boxes, mask, self.min_size)
        if self.strategy == 'drop' and not mask.any():
            return None
        results['boxes'] = boxes
        results['bbox_mask'] = mask
        results['region_captions'] = slot_captions
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(max_regions={self.max_regions}, '
            f'keyframe_tolerance={self.keyframe_tolerance}, '
            f'min_size={self.min_size}, strategy={self.strategy!r})'
        )
