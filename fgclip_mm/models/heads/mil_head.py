"""Snippet scorer of Sultani et al., CVPR 2018 (MIL ranking baseline)."""

from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule


@MODELS.register_module()
class MILHead(BaseModule):
    """Three fully connected layers scoring every snippet independently.

    Sultani et al., "Real-world Anomaly Detection in Surveillance Videos",
    CVPR 2018, Sec. 3.3 / 4.1: FC 512 (ReLU) - FC 32 - FC 1 (sigmoid) on 4096-d
    C3D segment features, 60% dropout between the FC layers. The paper does
    not name the activation of the 32-unit layer; like the public PyTorch
    ports it is linear here.

    Args:
        in_channels (int): feature dim D (4096 C3D, 2048 I3D, 512 CLIP).
        hidden_dims (Sequence[int]): widths of the hidden layers.
            Defaults to (512, 32).
        dropout (float): dropout between the FC layers. Defaults to 0.6.
        init_cfg (dict, optional): mmengine init config; defaults to Xavier
            normal on the linear layers (the paper's Keras code uses Glorot).
    """

    def __init__(
        self,
        in_channels: int,
        hidden_dims: Sequence[int] = (512, 32),
        dropout: float = 0.6,
        init_cfg: Optional[Dict] = dict(
            type='Xavier', layer='Linear', distribution='normal'
        ),
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        dims = [in_channels, *hidden_dims]
        layers = []
        for i in range(len(hidden_dims)):
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if i == 0:
                layers.append(nn.ReLU())
            layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(dims[-1], 1))
        self.mlp = nn.Sequential(*layers)

    def forward(
        self,
        feats: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
        num_crops: int = 1,
    ) -> Dict[str, torch.Tensor]:
        """Score snippets.

        Args:
            feats (Tensor): (N, T, D) snippet features (one row per crop).
            mask (Tensor, optional): (N, T) real snippets (unused here).
            num_crops (int): crops per video (unused: crops are scored as
                separate bags).

        Returns:
            dict: ``scores`` (N, T) in [0, 1].
        """
        return dict(scores=torch.sigmoid(self.mlp(feats).squeeze(-1)))
