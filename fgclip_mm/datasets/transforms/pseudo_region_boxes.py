"""Region boxes with a detector's boxes for the regions without annotated
boxes (ablation D of the seed plan: "pseudo boxes")."""

from typing import Dict, List, Optional, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS

from ..pseudo_boxes import load_pseudo_boxes
from .boxes import GenerateRegionBoxes


@TRANSFORMS.register_module()
class GeneratePseudoRegionBoxes(GenerateRegionBoxes):
    """:class:`GenerateRegionBoxes` where every region without annotated
    keyframes takes its boxes from a pseudo-box file (e.g. a person
    detector's output, :mod:`fgclip_mm.datasets.pseudo_boxes`).

    Only the source of those regions' boxes changes compared with the
    method (``strategy='virtual_mask'``): annotated regions are interpolated
    and masked exactly as there. A region without keyframes gets the
    video's per-frame detections (reduced to one box per frame, then
    handled like keyframes: interpolated between detections, valid within
    ``keyframe_tolerance`` seconds of one, masked across gaps longer than
    ``max_interp_gap``); where the video has no detection it is masked (no
    virtual box, and the sample is kept).

    Required Keys:

        - video_id
        - frame_inds, box_infos, region_captions, label
        - fps (when a region has keyframes or detections)

    Modified Keys:

        - region_captions (padded to ``max_regions``)

    Added Keys:

        - boxes (np.float32 ``(T, N, 4)``)
        - bbox_mask (np.bool ``(T, N)``)

    Args:
        pseudo_file (str): The pseudo-box JSON file.
        score_thr (float): Minimum detection score. Defaults to 0.
        reduce (str): ``'union'`` (the box around all detections of a
            frame) or ``'top'`` (the most confident). Defaults to
            ``'union'``.
        **kwargs: The arguments of :class:`GenerateRegionBoxes` except
            ``strategy`` (``max_regions``, ``keyframe_tolerance``,
            ``min_size``, ``max_interp_gap``).
    """

    def __init__(
        self,
        pseudo_file: str,
        score_thr: float = 0.0,
        reduce: str = 'union',
        **kwargs,
    ) -> None:
        strategy = kwargs.pop('strategy', 'virtual_mask')
        if strategy != 'virtual_mask':
            raise ValueError(
                'GeneratePseudoRegionBoxes replaces the virtual boxes of '
                f"'virtual_mask'; strategy={strategy!r} is not supported"
            )
        super().__init__(strategy='virtual_mask', **kwargs)
        self.pseudo_file = pseudo_file
        self.score_thr = score_thr
        self.reduce = reduce
        self.pseudo_boxes = load_pseudo_boxes(pseudo_file, score_thr, reduce)

    def _region(
        self,
        keyframes: List[dict],
        frame_inds: np.ndarray,
        tolerance: float,
        max_gap: float,
        is_normal: bool,
    ) -> Tuple[np.ndarray, np.ndarray]:
        if not keyframes:  # no annotation and no detection: masked
            num = len(frame_inds)
            return np.zeros((num, 4), np.float32), np.zeros(num, dtype=bool)
        return super()._region(
            keyframes, frame_inds, tolerance, max_gap, is_normal
        )

    def transform(self, results: Dict) -> Optional[Dict]:
        regions = list(results.get('box_infos') or [])
        captions = list(results.get('region_captions') or [])
        regions += [[]] * (len(captions) - len(regions))
        detections = self.pseudo_boxes.get(str(results['video_id']), [])
        annotated = results.get('box_infos')
        results['box_infos'] = [r if r else detections for r in regions]
        try:
            out = super().transform(results)
        finally:
            results['box_infos'] = annotated
        return out

    def __repr__(self) -> str:
        return (
            f'{super().__repr__()[:-1]}, pseudo_file={self.pseudo_file!r}, '
            f'score_thr={self.score_thr}, reduce={self.reduce!r})'
        )
