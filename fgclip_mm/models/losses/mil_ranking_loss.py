"""Deep MIL ranking loss of Sultani et al., CVPR 2018."""

from typing import Dict, Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS

from ..utils.snippet_ops import masked_max, masked_smoothness, masked_sum


@MODELS.register_module()
class MILRankingLoss(nn.Module):
    """Hinge ranking of bag maxima with smoothness and sparsity (Eq. 7).

    Sultani et al., CVPR 2018, Sec. 3.2, Eq. (6)-(7), for an anomalous bag
    ``a`` and a normal bag ``n`` with snippet scores ``f``::

        l(a, n) = max(0, 1 - max_i f(a_i) + max_i f(n_i))
                  + l1 * sum_{i<T} (f(a_i) - f(a_{i+1}))^2
                  + l2 * sum_i f(a_i)

    with ``l1 = l2 = 8e-5``. The ``||W||_F`` term (``l3 = 0.01``) is left to
    the optimiser's weight decay. A batch holds normal (label 0) and
    anomalous (label > 0) bags; the hinge is averaged over every
    (anomalous, normal) pair of the batch (the paper's code compares every
    anomalous bag of a 30 + 30 batch with every normal one); averaging Eq. (7)
    over those pairs averages the smoothness and sparsity sums over the
    anomalous bags. A batch without a normal or
    an anomalous bag contributes a zero ranking term.

    Args:
        margin (float): hinge margin. Defaults to 1.0.
        lambda_smooth (float): l1. Defaults to 8e-5.
        lambda_sparse (float): l2. Defaults to 8e-5.
    """

    def __init__(
        self,
        margin: float = 1.0,
        lambda_smooth: float = 8e-5,
        lambda_sparse: float = 8e-5,
    ) -> None:
        super().__init__()
        self.margin = margin
        self.lambda_smooth = lambda_smooth
        self.lambda_sparse = lambda_sparse

    def forward(
        self,
        outputs: Dict[str, torch.Tensor],
        labels: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
    ) -> Dict[str, torch.Tensor]:
        """Compute the loss terms.

        Args:
            outputs (dict): ``scores`` (N, T) in [0, 1].
            labels (Tensor): (N,) video labels, > 0 = anomalous bag.
            mask (Tensor, optional): (N, T) real snippets.

        Returns:
            dict: ``loss_rank``, ``loss_smooth``, ``loss_sparse``.
        """
        scores = outputs['scores']
        anomalous = labels > 0
        bag_max = masked_max(scores, mask)  # (N,)
        a_max, n_max = bag_max[anomalous], bag_max[~anomalous]
        if a_max.numel() and n_max.numel():
            hinge = self.margin - a_max[:, None] + n_max[None, :]
            rank = hinge.clamp(min=0).mean()
        else:
            rank = scores.sum() * 0
        a_scores = scores[anomalous]
        a_mask = mask[anomalous] if mask is not None else None
        if a_scores.shape[0]:
            smooth = masked_smoothness(a_scores, a_mask).mean()
            sparse = masked_sum(a_scores, a_mask).mean()
        else:
            smooth = sparse = scores.sum() * 0
        return dict(
            loss_rank=rank,
            loss_smooth=self.lambda_smooth * smooth,
            loss_sparse=self.lambda_sparse * sparse,
        )
