"""RoIAlign regional head: box features from the dense patch map."""

from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torchvision.ops import roi_align

from ..utils.box_pooling import box_pooling_weights, pool_fixed_boxes


def boxes_to_rois(
    boxes: torch.Tensor, frame_index: torch.Tensor, grid_hw: Tuple[int, int]
) -> torch.Tensor:
    """Normalised boxes to ``roi_align`` rows in patch-grid coordinates.

    Args:
        boxes (Tensor): (K, 4) normalised x1, y1, x2, y2 in [0, 1].
        frame_index (Tensor): (K,) index of each box's frame in the dense
        batch.
        grid_hw (tuple[int, int]): (h, w) of the patch grid.

    Returns:
        Tensor: (K, 5) rows ``[frame_index, x1*w, y1*h, x2*w, y2*h]``.
    """
    h, w = grid_hw
    scale = boxes.new_tensor([w, h, w, h])
    scaled = boxes * scale
    return torch.cat([frame_index.to(boxes.dtype)[:, None], scaled], dim=1)


@MODELS.register_module()
class RoIRegionHead(BaseModule):
    """Region embeddings from dense features with one batched ``roi_align``.

    Only the valid (frame, region) pairs of ``bbox_mask`` are pooled; each
    pair's feature passes a residual MLP adapter whose last layer starts at
    zero (identity at init), then a region's adapted features are averaged
    over its valid frames. The adapter thus sees one frame's RoI feature in
    training as at test time (:meth:`box_embeddings`), never a mean over
    frames (whose norm shrinks as the frames differ): a one-frame region gets
    exactly its test-time embedding.

    Args:
        embed_dims (int): D.
        output_size (int | tuple): ``roi_align`` output size; bins are
        averaged.
            Defaults to 1.
        sampling_ratio (int): ``roi_align`` sampling ratio; 0 = adaptive,
            which samples patch centres exactly when the box edges lie on
            patch borders. Defaults to 0.
        adapter_hidden (int): hidden size of the adapter MLP; 0 means
            ``2 * embed_dims``. Defaults to 0.
        use_adapter (bool): apply the residual adapter; False makes the head
            plain RoIAlign pooling. Defaults to True.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
        self,
        embed_dims: int,
        output_size: Union[int, Tuple[int, int]] = 1,
        sampling_ratio: int = 0,
        adapter_hidden: int = 0,
        use_adapter: bool = True,
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.output_size = (
            (output_size, output_size)
            if isinstance(output_size, int)
            else tuple(output_size)
        )
        self.sampling_ratio = sampling_ratio
        self.use_adapter = use_adapter
        # test-time pooling weights of the scorer's fixed boxes (a cache)
        self._weights_key: Optional[tuple] = None
        self._weights: Optional[torch.Tensor] = None
        if use_adapter:
            hidden = adapter_hidden or 2 * embed_dims
            self.adapter = nn.Sequential(
                nn.LayerNorm(embed_dims),
                nn.Linear(embed_dims, hidden),
                nn.GELU(),
                nn.Linear(hidden, embed_dims),
            )
        self._zero_init()

    def _zero_init(self) -> None:
        if self.use_adapter:
            nn.init.zeros_(self.adapter[-1].weight)
            nn.init.zeros_(self.adapter[-1].bias)

    def init_weights(self) -> None:
        self._zero_init()

    def pool_boxes(
        self,
        dense: torch.Tensor,
        boxes: torch.Tensor,
        frame_index: torch.Tensor,
    ) -> torch.Tensor:
        """RoIAlign features of boxes (no adapter).

        Args:
            dense (Tensor): (F, D, h, w) dense embeddings of F frames.
            boxes (Tensor): (K, 4) normalised boxes.
            frame_index (Tensor): (K,) frame of each box in ``dense``.

        Returns:
            Tensor: (K, D).
        """
        rois = boxes_to_rois(
            boxes.to(dense.dtype), frame_index, dense.shape[-2:]
        )
        pooled = roi_align(
            dense,
            rois,
            self.output_size,
            spatial_scale=1.0,
            sampling_ratio=self.sampling_ratio,
            aligned=True,
        )
        return pooled.mean(dim=(2, 3))

    def adapt(self, feats: torch.Tensor) -> torch.Tensor:
        """Residual adapter on (K, D) region features."""
        if not self.use_adapter:
            return feats
        return feats + self.adapter(feats)

    def box_embeddings(
        self, dense: torch.Tensor, boxes: torch.Tensor
    ) -> torch.Tensor:
        """Embeddings of the same K boxes in every frame (test-time scoring).

        Args:
            dense (Tensor): (B, T, D, h, w) dense embeddings.
            boxes (Tensor): (K, 4) normalised x1, y1, x2, y2, shared by all
                frames.

        Returns:
            Tensor: (B, T, K, D) adapted box embeddings, not normalised.
        """
        b, t, d, h, w = dense.shape
        k = boxes.shape[0]
        feats = pool_fixed_boxes(
            dense.reshape(b * t, d, h, w),
            self._fixed_box_weights(boxes, dense),
        )  # (B*T, K, D), equal to pool_boxes on every frame
        return self.adapt(feats.reshape(b * t * k, d)).reshape(b, t, k, d)

    def _fixed_box_weights(
        self, boxes: torch.Tensor, dense: torch.Tensor
    ) -> torch.Tensor:
        """(K, h*w) RoIAlign weights of ``boxes`` on ``dense``'s grid, cached.

        Computed in ``dense``'s dtype as :meth:`pool_boxes` does: RoIAlign's
        adaptive sample count rounds box sizes up, so float32 and float64
        coordinates can differ by one sample.
        """
        h, w = dense.shape[-2:]
        boxes = boxes.detach().to(device=dense.device, dtype=dense.dtype)
        boxes_key = tuple(boxes.flatten().tolist())
        key = (boxes_key, h, w, dense.dtype, dense.device)
        if self._weights_key != key:
            rois = boxes_to_rois(
                boxes, boxes.new_zeros(boxes.shape[0]), (h, w)
            )
            self._weights = box_pooling_weights(
                rois, (h, w), self.output_size, self.sampling_ratio
            )
            self._weights_key = key
        return self._weights

    def forward(
        self, dense: torch.Tensor, boxes: torch.Tensor, bbox_mask: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Region embeddings of every region with at least one valid frame.

        Args:
            dense (Tensor): (B, T, D, h, w).
            boxes (Tensor): (B, T, N, 4) normalised boxes.
            bbox_mask (Tensor): (B, T, N) bool.

        Returns:
            tuple[Tensor, Tensor]: embeddings (R, D) of the R regions that have
            a valid frame (mean of the adapted features of its valid frames,
            not normalised), and their (R, 2) ``(batch index, slot)``
            indices.
        """
        b, t, d, h, w = dense.shape
        mask = bbox_mask.bool()
        valid = mask.nonzero()  # (K, 3): batch, frame, slot
        region_valid = mask.any(dim=1)  # (B, N)
        region_index = region_valid.nonzero()  # (R, 2)
        if valid.shape[0] == 0:
            return dense.new_zeros(0, d), region_index
        frame_index = valid[:, 0] * t + valid[:, 1]
        feats = self.pool_boxes(
            dense.reshape(b * t, d, h, w), boxes[mask], frame_index
        )  # (K, D)
        # the adapter per frame, as at test time, then each region's mean
        feats = self.adapt(feats)
        n = mask.shape[2]
        slot_of_pair = valid[:, 0] * n + valid[:, 2]  # (K,)
        slot_to_region = torch.full(
            (b * n,), -1, dtype=torch.long, device=dense.device
        )
        slot_to_region[region_index[:, 0] * n + region_index[:, 1]] = (
            torch.arange(region_index.shape[0], device=dense.device)
        )
        target = slot_to_region[slot_of_pair]
        sums = feats.new_zeros(region_index.shape[0], d).index_add_(
            0, target, feats
        )
        counts = torch.bincount(target, minlength=region_index.shape[0]).clamp(
            min=1
        )
        return sums / counts[:, None].to(sums.dtype), region_index
