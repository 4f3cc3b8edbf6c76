"""Anomaly regression network of AR-Net (Wan et al., ICME 2020)."""

from typing import Dict, Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule


@MODELS.register_module()
class ARNetHead(BaseModule):
    """Two fully connected layers regressing a score per snippet.

    Wan et al., "Weakly Supervised Video Anomaly Detection via
    Center-guided Discriminative Learning", ICME 2020, Sec. 2.1: snippet
    features go through FC (ReLU, dropout) and FC + sigmoid to an anomaly
    score. Choice: hidden width 512 and dropout 0.7, the public code's
    values; the width is a parameter.

    Args:
        in_channels (int): feature dim D (1024 / 2048 I3D).
        hidden_dim (int): hidden width. Defaults to 512.
        dropout (float): dropout after the hidden layer. Defaults to 0.7.
        init_cfg (dict, optional): Xavier uniform on the linear layers.
    """

    def __init__(
        self,
        in_channels: int,
        hidden_dim: int = 512,
        dropout: float = 0.7,
        init_cfg: Optional[Dict] = dict(
            type='Xavier', layer='Linear', distribution='uniform'
        ),
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, hidden_dim),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_dim, 1),
        )

    def forward(
        self,
        feats: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
        num_crops: int = 1,
    ) -> Dict[str, torch.Tensor]:
        """Score snippets.

        Args:
            feats (Tensor): (N, T, D), one row per crop.
            mask (Tensor, optional): (N, T) real snippets (unused).
            num_crops (int): unused (crops are separate bags).

        Returns:
            dict: ``scores`` (N, T) in [0, 1].
        """
        return dict(scores=torch.sigmoid(self.mlp(feats).squeeze(-1)))
