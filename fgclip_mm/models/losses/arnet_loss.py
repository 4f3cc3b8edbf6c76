"""AR-Net loss: dynamic k-max MIL loss plus centre loss on normal videos."""

from typing import Dict, Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS

from ..utils.snippet_ops import full_mask, probability_bce, topk_per_video


@MODELS.register_module()
class ARNetLoss(nn.Module):
    """``L = L_kmax + lambda * L_center`` (Wan et al., ICME 2020, Sec. 2.2).

    * Dynamic multiple-instance loss: for a video of n real snippets the
      ``k = floor(n / k_div) + 1`` snippets with the largest scores are taken
      as positive (anomalous video) or negative (normal video) instances;
      ``L_kmax`` is the binary cross-entropy of each selected score against
      the video label, averaged over all selected instances of the batch
      (the public code concatenates the instances, then one BCE).
    * Centre loss for normal videos: ``L_center = 1/n sum_i (s_i - c)^2``
      with ``c`` the mean score of the video, averaged over the normal
      videos of the batch (zero without one).

    ``k_div = 8`` and ``lambda = 20`` follow the paper; the variance is the
    paper's ``1/n`` form (the public code uses ``torch.var``, i.e.
    ``1/(n-1)``).

    Args:
        k_div (int): Defaults to 8.
        lambda_center (float): Defaults to 20.
    """

    def __init__(self, k_div: int = 8, lambda_center: float = 20.0) -> None:
        super().__init__()
        self.k_div = k_div
        self.lambda_center = lambda_center

    def forward(
        self,
        outputs: Dict[str, torch.Tensor],
        labels: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
    ) -> Dict[str, torch.Tensor]:
        """Compute the loss terms.

        Args:
            outputs (dict): ``scores`` (N, T) in [0, 1].
            labels (Tensor): (N,) video labels, > 0 anomalous.
            mask (Tensor, optional): (N, T) real snippets.

        Returns:
            dict: ``loss_kmax`` and ``loss_center``.
        """
        scores = outputs['scores']
        target = (labels > 0).float()
        idx = topk_per_video(
            scores.detach(), mask, lambda n: n // self.k_div + 1
        )
        selected = torch.cat([scores[i, j] for i, j in enumerate(idx)])
        targets = torch.cat(
            [target[i].expand(len(j)) for i, j in enumerate(idx)]
        )
        loss_kmax = probability_bce(selected, targets)
        real = full_mask(scores, mask)
        centers = []
        for i in torch.nonzero(target == 0).flatten().tolist():
            s = scores[i][real[i]]
            centers.append(((s - s.mean()) ** 2).mean())
        loss_center = (
            torch.stack(centers).mean() if centers else scores.sum() * 0
        )
        return dict(
            loss_kmax=loss_kmax, loss_center=self.lambda_center * loss_center
        )
