"""RTFM loss: top-k feature-magnitude margin, classifier BCE, regularisers."""

from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from ..utils.snippet_ops import (
    full_mask,
    masked_smoothness,
    probability_bce,
    topk_per_video,
)


@MODELS.register_module()
class RTFMLoss(nn.Module):
    """Loss of RTFM (Tian et al., ICCV 2021, Sec. 3.3-3.4).

    For every video the k snippets of largest (crop-averaged) feature
    magnitude are selected (k = 3; training multiplies the magnitudes by a
    dropout mask first, as the public code does, ``selection_dropout``).

    * ``loss_cls``: BCE between the mean classifier score of the selected
      snippets and the video label (Sec. 3.4).
    * ``loss_magnitude`` (Sec. 3.3, Eq. 4-5): with ``a`` / ``n`` the L2 norm
      of the mean MTN feature of the top-k snippets of one crop of an
      anomalous / normal video. ``form='rtfm'`` (public code, the default,
      what the reported numbers use): ``alpha * mean (|m - a| + n)^2``;
      ``form='paper'`` (Eq. 5): ``alpha * mean max(0, m - a + n)``. RTFM pairs
      the i-th normal with the i-th anomalous crop of a half-normal batch;
      here the mean runs over every (anomalous crop, normal crop) pair of
      the batch, which does not depend on the batch order or balance.
    * ``loss_sparse``: ``l_sp * ||s_a||_2`` over the snippet scores of the
      anomalous videos; ``loss_smooth``: ``l_sm * sum (s_t - s_{t+1})^2`` over
      consecutive snippets of each anomalous video (the public code also
      differences across video boundaries of its flattened batch; we do
      not).

    Defaults are the public code's (``alpha=1e-4``, ``margin=100``, sparsity
    8e-3, smoothness 8e-4, k = 3).

    Args:
        k (int): top-k snippets. Defaults to 3.
        margin (float): m. Defaults to 100.
        alpha (float): weight of the magnitude loss. Defaults to 1e-4.
        lambda_sparse (float): Defaults to 8e-3.
        lambda_smooth (float): Defaults to 8e-4.
        selection_dropout (float): dropout on the magnitudes before top-k in
            training. Defaults to 0.7.
        form (str): ``'rtfm'`` or ``'paper'`` (see above).
    """

    def __init__(
        self,
        k: int = 3,
        margin: float = 100.0,
        alpha: float = 1e-4,
        lambda_sparse: float = 8e-3,
        lambda_smooth: float = 8e-4,
        selection_dropout: float = 0.7,
        form: str = 'rtfm',
    ) -> None:
        super().__init__()
        if form not in ('rtfm', 'paper'):
            raise ValueError(f"form must be 'rtfm' or 'paper', got {form!r}")
        self.k = k
        self.margin = margin
        self.alpha = alpha
        self.lambda_sparse = lambda_sparse
        self.lambda_smooth = lambda_smooth
        self.selection_dropout = selection_dropout
        self.form = form

    def magnitude_term(
        self, a_mag: torch.Tensor, n_mag: torch.Tensor
    ) -> torch.Tensor:
        """Margin loss over all pairs, (Na,), (Nn,) -> scalar (unweighted)."""
        a, n = a_mag[:, None], n_mag[None, :]
        if self.form == 'rtfm':
            return ((self.margin - a).abs() + n).pow(2).mean()
        return (self.margin - a + n).clamp(min=0).mean()

    def forward(
        self,
        outputs: Dict[str, torch.Tensor],
        labels: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
    ) -> Dict[str, torch.Tensor]:
        """Compute the loss terms.

        Args:
            outputs (dict): ``scores`` (B, T), ``magnitudes`` (B, T),
                ``features`` (B, C, T, D) from :class:`RTFMHead`.
            labels (Tensor): (B,) video labels, > 0 anomalous.
            mask (Tensor, optional): (B, T) real snippets.

        Returns:
            dict: ``loss_cls``, ``loss_magnitude``, ``loss_sparse``,
            ``loss_smooth``.
        """
        scores, feats = outputs['scores'], outputs['features']
        mags = outputs['magnitudes']
        if self.training and self.selection_dropout > 0:
            mags = mags * F.dropout(
                torch.ones_like(mags), self.selection_dropout
            )
        idx = topk_per_video(mags.detach(), mask, lambda _: self.k)
        anomalous = labels > 0
        video_scores = torch.stack(
            [scores[i, j].mean() for i, j in enumerate(idx)]
        )
        loss_cls = probability_bce(video_scores, anomalous)
        # (B, C): norm of the mean selected feature of every crop
        crop_mag = torch.stack(
            [
                feats[i][:, j].mean(dim=1).norm(p=2, dim=-1)
                for i, j in enumerate(idx)
            ]
        )
        a_mag, n_mag = crop_mag[anomalous], crop_mag[~anomalous]
        if a_mag.numel() and n_mag.numel():
            loss_mag = self.magnitude_term(a_mag.flatten(), n_mag.flatten())
        else:
            loss_mag = feats.sum() * 0
        real = full_mask(scores, mask)
        a_scores = scores[anomalous][real[anomalous]]
        sparse = a_scores.norm(p=2) if a_scores.numel() else scores.sum() * 0
        smooth = masked_smoothness(scores[anomalous], real[anomalous]).sum()
        return dict(
            loss_cls=loss_cls,
            loss_magnitude=self.alpha * loss_mag,
            loss_sparse=self.lambda_sparse * sparse,
            loss_smooth=self.lambda_smooth * smooth,
        )
