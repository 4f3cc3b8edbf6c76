"""DualContrastiveLoss: global video-caption + regional box-caption InfoNCE."""

from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.dist import get_rank, get_world_size

from ..utils import gather_no_grad, gather_with_grad


def info_nce(
    image: torch.Tensor,
    text: torch.Tensor,
    logit_scale: torch.Tensor,
    ids: torch.Tensor,
    all_image: Optional[torch.Tensor] = None,
    all_text: Optional[torch.Tensor] = None,
    all_ids: Optional[torch.Tensor] = None,
    row_offset: int = 0,
) -> torch.Tensor:
    """Symmetric InfoNCE where identical captions are not negatives.

    Rows are this rank's pairs; columns are every rank's pairs (``all_*``, the
    rows themselves on one process). Row ``i``'s positive is column
    ``row_offset + i``; columns whose caption id equals row ``i``'s are removed
    from its softmax.

    Args:
        image (Tensor): (b, D) L2-normalised embeddings of this rank.
        text (Tensor): (b, D) L2-normalised caption embeddings of this rank.
        logit_scale (Tensor): scalar, already exponentiated.
        ids (Tensor): (b,) caption ids of the rows.
        all_image, all_text (Tensor, optional): (B, D) embeddings of all ranks.
        all_ids (Tensor, optional): (B,) caption ids of all ranks.
        row_offset (int): column index of this rank's first pair.

    Returns:
        Tensor: scalar, mean of the image->text and text->image cross-entropy
        over the rows. Averaged over ranks it equals the single-process loss of
        the concatenated batch.
    """
    all_image = image if all_image is None else all_image
    all_text = text if all_text is None else all_text
    all_ids = ids if all_ids is None else all_ids
    b = image.shape[0]
    target = torch.arange(b, device=image.device) + row_offset
    same = ids[:, None] == all_ids[None, :]  # (b, B)
    same[torch.arange(b, device=image.device), target] = False
    i2t = (logit_scale * image @ all_text.t()).masked_fill(same, float('-inf'))
    t2i = (logit_scale * text @ all_image.t()).masked_fill(same, float('-inf'))
    return 0.5 * (F.cross_entropy(i2t, target) + F.cross_entropy(t2i, target))


@MODELS.register_module()
class DualContrastiveLoss(nn.Module):
    """``L = w_g * L_global + lambda * L_region``; the model passes the scales.

    The loss keeps no parameters: the logit scales (already exponentiated) are
    arguments of :meth:`forward`, as open_clip's ``ClipLoss`` takes
    ``logit_scale``. The model owns them (see
    :class:`~fgclip_mm.models.utils.LogitScales`).

    Args:
        region_weight (float): lambda. Defaults to 0.5.
        global_weight (float): weight of the global term (0 = region-only
            ablation). Defaults to 1.0.
        gather_global (bool): gather the global level over ranks under DDP.
            Defaults to True.
    """

    def __init__(
        self,
        region_weight: float = 0.5,
        global_weight: float = 1.0,
        gather_global: bool = True,
    ) -> None:
        super().__init__()
        self.region_weight = region_weight
        self.global_weight = global_weight
        self.gather_global = gather_global

    def global_loss(
        self,
        video: torch.Tensor,
        text: torch.Tensor,
        ids: torch.Tensor,
        scale: torch.Tensor,
    ) -> torch.Tensor:
        """Video-caption InfoNCE over the batch of all ranks (normalised).

        Under DDP the embeddings of every rank are gathered (gradients summed
        back), so each video is contrasted with every caption of the global
        batch, as on one process with the concatenated batch.
        """
        if self.gather_global and get_world_size() > 1:
            return info_nce(
                video,
                text,
                scale,
                ids,
                all_image=gather_with_grad(video),
                all_text=gather_with_grad(text),
                all_ids=gather_no_grad(ids),
                row_offset=get_rank() * video.shape[0],
            )
        return info_nce(video, text, scale, ids)

    def region_loss(
        self,
        region: torch.Tensor,
        text: torch.Tensor,
        ids: torch.Tensor,
        scale: torch.Tensor,
    ) -> torch.Tensor:
        """Region-caption InfoNCE over the valid regions of this rank's batch.

        With fewer than two regions there is no negative: returns a zero that
        is still connected to the graph (DDP sees every parameter used).
        """
        if region.shape[0] < 2:
            return region.sum() * 0.0 + scale * 0.0
        return info_nce(region, text, scale, ids)

    def forward(
        self,
        video: torch.Tensor,
        video_text: torch.Tensor,
        video_ids: torch.Tensor,
        global_scale: torch.Tensor,
        region: Optional[torch.Tensor] = None,
        region_text: Optional[torch.Tensor] = None,
        region_ids: Optional[torch.Tensor] = None,
        region_scale: Optional[torch.Tensor] = None,
    ) -> Dict[str, torch.Tensor]:
        """Compute the losses.

        Args:
            video (Tensor): (B, D) normalised video embeddings.
            video_text (Tensor): (B, D) normalised global-caption embeddings.
            video_ids (Tensor): (B,) caption ids (equal captions, equal ids).
            global_scale (Tensor): scalar logit scale of the global level,
                already exponentiated.
            region (Tensor, optional): (R, D) normalised region embeddings.
            region_text (Tensor, optional): (R, D) normalised region captions.
            region_ids (Tensor, optional): (R,) region caption ids.
            region_scale (Tensor, optional): scalar logit scale of the
                regional level, already exponentiated; required with
                ``region``.

        Returns:
            dict: ``loss_global`` and ``loss_region`` (already weighted; the
            Runner sums every key that starts with ``loss``), plus the scales
            for logs.
        """
        losses = dict()
        if self.global_weight > 0:
            raw = self.global_loss(video, video_text, video_ids, global_scale)
            losses['loss_global'] = self.global_weight * raw
        losses['logit_scale_global'] = global_scale.detach()
        if self.region_weight > 0 and region is not None:
            if region_scale is None:
                raise ValueError(
                    'DualContrastiveLoss: region embeddings were '
                    'given without region_scale'
                )
            raw = self.region_loss(
                region, region_text, region_ids, region_scale
            )
            losses['loss_region'] = self.region_weight * raw
        if region_scale is not None:
            losses['logit_scale_region'] = region_scale.detach()
        return losses
