"""VadCLIP losses: MIL BCE, MIL-Align and normal/anomaly text contrast."""

from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from ..utils.snippet_ops import probability_bce, topk_mean


@MODELS.register_module()
class VadCLIPLoss(nn.Module):
    """``L = L_bce + L_nce + lambda_cts * L_cts`` (VadCLIP Sec. 3.4).

    With ``k = floor(n / k_div) + 1`` for a video of n real snippets:

    * ``L_bce`` (C-branch): BCE between the mean of the top-k snippet
      confidences ``sigmoid(logits)`` and the binary video label.
    * ``L_nce`` (MIL-Align, A-branch): for every class the mean of its top-k
      alignment logits over time gives a video-level logit (N, K); softmax
      cross-entropy with the video's class (0 = normal).
    * ``L_cts``: text contrast pushing the normal prompt away from every
      anomaly prompt, ``mean_j |cos(t_normal, t_j)|`` over the K-1 anomaly
      classes. Choice: the public code's absolute cosine and weight 0.1
      (``/ 13 * 1e-1`` on UCF-Crime's 13 classes).

    Args:
        k_div (int): Defaults to 16.
        lambda_nce (float): Defaults to 1.
        lambda_cts (float): Defaults to 0.1.
    """

    def __init__(
        self, k_div: int = 16, lambda_nce: float = 1.0, lambda_cts: float = 0.1
    ) -> None:
        super().__init__()
        self.k_div = k_div
        self.lambda_nce = lambda_nce
        self.lambda_cts = lambda_cts

    def _k(self, n: int) -> int:
        return n // self.k_div + 1

    def forward(
        self,
        outputs: Dict[str, torch.Tensor],
        labels: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
    ) -> Dict[str, torch.Tensor]:
        """Compute the loss terms.

        Args:
            outputs (dict): ``logits`` (N, T), ``class_logits`` (N, T, K),
                ``text_embeddings`` (K, D) from :class:`VadCLIPHead`.
            labels (Tensor): (N,) class indices, 0 = normal.
            mask (Tensor, optional): (N, T) real snippets.

        Returns:
            dict: ``loss_bce``, ``loss_nce``, ``loss_cts``.
        """
        conf = torch.sigmoid(outputs['logits'])
        video_conf = topk_mean(conf, mask, self._k)
        loss_bce = probability_bce(video_conf, labels > 0)
        class_logits = outputs['class_logits']
        num_classes = class_logits.shape[-1]
        if int(labels.max()) >= num_classes:
            raise ValueError(
                f'label {int(labels.max())} but the head has '
                f'{num_classes} classes'
            )
        video_logits = topk_mean(class_logits, mask, self._k)  # (N, K)
        loss_nce = F.cross_entropy(video_logits, labels)
        text = F.normalize(outputs['text_embeddings'], dim=-1)
        loss_cts = (text[1:] @ text[0]).abs().mean()
        return dict(
            loss_bce=loss_bce,
            loss_nce=self.lambda_nce * loss_nce,
            loss_cts=self.lambda_cts * loss_cts,
        )
