"""Multi-scale temporal network and snippet classifier of RTFM (ICCV 2021)."""

from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule


class NonLocalBlock1D(nn.Module):
    """Dot-product non-local block over time (Wang et al., CVPR 2018).

    RTFM's variant: ``y = (theta(x)^T phi(x) / T) g(x)``, output
    ``x + BN(W y)`` with the BN initialised to zero (identity at init).

    Args:
        channels (int): input channels.
        inter_channels (int, optional): defaults to ``channels // 2``.
    """

    def __init__(
        self, channels: int, inter_channels: Optional[int] = None
    ) -> None:
        super().__init__()
        inter = inter_channels or max(channels // 2, 1)
        self.g = nn.Conv1d(channels, inter, 1)
        self.theta = nn.Conv1d(channels, inter, 1)
        self.phi = nn.Conv1d(channels, inter, 1)
        self.out = nn.Sequential(
            nn.Conv1d(inter, channels, 1), nn.BatchNorm1d(channels)
        )
        nn.init.zeros_(self.out[1].weight)
        nn.init.zeros_(self.out[1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T) -> (N, C, T)."""
        g = self.g(x).transpose(1, 2)  # (N, T, C')
        theta = self.theta(x).transpose(1, 2)  # (N, T, C')
        phi = self.phi(x)  # (N, C', T)
        attn = theta @ phi / x.shape[-1]  # (N, T, T)
        y = (attn @ g).transpose(1, 2)  # (N, C', T)
        return x + self.out(y)


class MultiScaleTemporalNetwork(nn.Module):
    """RTFM's MTN (Tian et al., ICCV 2021, Sec. 3.2, Fig. 3).

    Pyramid of dilated convolutions (PDC, kernel 3, dilations 1, 2, 4) and a
    temporal self-attention branch (1x1 conv + non-local block), each D/4
    channels, concatenated, fused by a kernel-3 conv and added to the input.

    Args:
        channels (int): feature dim D (divisible by 4).
        dilations (Sequence[int]): PDC dilations. Defaults to (1, 2, 4).
    """

    def __init__(
        self, channels: int, dilations: Sequence[int] = (1, 2, 4)
    ) -> None:
        super().__init__()
        branches = len(dilations) + 1
        if channels % branches:
            raise ValueError(
                f'RTFM feature dim {channels} is not divisible by {branches}'
            )
        width = channels // branches
        self.pdc = nn.ModuleList(
            [
                nn.Sequential(
                    nn.Conv1d(channels, width, 3, dilation=d, padding=d),
                    nn.ReLU(),
                    nn.BatchNorm1d(width),
                )
                for d in dilations
            ]
        )
        self.tsa_in = nn.Sequential(
            nn.Conv1d(channels, width, 1, bias=False), nn.ReLU()
        )
        self.non_local = NonLocalBlock1D(width)
        self.fuse = nn.Sequential(
            nn.Conv1d(channels, channels, 3, padding=1, bias=False),
            nn.ReLU(),
            nn.BatchNorm1d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, T, D) -> (N, T, D)."""
        x = x.transpose(1, 2)  # (N, D, T)
        outs = [branch(x) for branch in self.pdc]
        outs.append(self.non_local(self.tsa_in(x)))
        y = self.fuse(torch.cat(outs, dim=1)) + x
        return y.transpose(1, 2)


@MODELS.register_module()
class RTFMHead(BaseModule):
    """RTFM: MTN features, their magnitudes and a snippet classifier.

    Tian et al., "Weakly-supervised Video Anomaly Detection with Robust
    Temporal Feature Magnitude Learning", ICCV 2021, Sec. 3.2-3.3; sizes
    from the public code (classifier D-512-128-1, ReLU, dropout 0.7 after
    the MTN and between the FC layers, sigmoid output).

    Crops (RTFM's convention): every crop runs through the MTN and the
    classifier on its own; snippet scores and feature magnitudes are then
    averaged over the crops of a video, and the magnitude loss uses the
    features of every crop at the video's top-k snippets (see
    :class:`RTFMLoss`). The outputs therefore have one row per *video*.

    Args:
        in_channels (int): feature dim D (2048 I3D; divisible by 4).
        hidden_dims (Sequence[int]): classifier widths. Defaults to
            (512, 128).
        dropout (float): dropout rate. Defaults to 0.7.
        dilations (Sequence[int]): PDC dilations. Defaults to (1, 2, 4).
        init_cfg (dict, optional): mmengine init config (Xavier uniform on
            the convolutions and linear layers, as RTFM's ``weight_init``).
    """

    def __init__(
        self,
        in_channels: int,
        hidden_dims: Sequence[int] = (512, 128),
        dropout: float = 0.7,
        dilations: Sequence[int] = (1, 2, 4),
        init_cfg: Optional[Dict] = dict(
            type='Xavier', layer=['Conv1d', 'Linear'], distribution='uniform'
        ),
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.mtn = MultiScaleTemporalNetwork(in_channels, dilations)
        self.dropout = nn.Dropout(dropout)
        dims = [in_channels, *hidden_dims]
        layers = []
        for i in range(len(hidden_dims)):
            layers += [
                nn.Linear(dims[i], dims[i + 1]),
                nn.ReLU(),
                nn.Dropout(dropout),
            ]
        layers.append(nn.Linear(dims[-1], 1))
        self.classifier = nn.Sequential(*layers)

    def init_weights(self) -> None:
        super().init_weights()
        # keep the non-local block an identity at init (zeroed BN)
        for module in self.modules():
            if isinstance(module, NonLocalBlock1D):
                nn.init.zeros_(module.out[1].weight)
                nn.init.zeros_(module.out[1].bias)

    def forward(
        self,
        feats: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
        num_crops: int = 1,
    ) -> Dict[str, torch.Tensor]:
        """Run the MTN and the classifier.

        Args:
            feats (Tensor): (B*C, T, D) snippet features, rows ``b * C + c``.
            mask (Tensor, optional): (B*C, T) real snippets (the MTN runs
                over the padding; the loss ignores padded snippets).
            num_crops (int): C.

        Returns:
            dict: ``scores`` (B, T) and ``magnitudes`` (B, T), both averaged
            over crops, and ``features`` (B, C, T, D) MTN features.
        """
        n, t, _ = feats.shape
        b = n // num_crops
        x = self.dropout(self.mtn(feats))  # (B*C, T, D)
        scores = torch.sigmoid(self.classifier(x).squeeze(-1))  # (B*C, T)
        magnitudes = x.norm(p=2, dim=-1)
        return dict(
            scores=scores.reshape(b, num_crops, t).mean(dim=1),
            magnitudes=magnitudes.reshape(b, num_crops, t).mean(dim=1),
            features=x.reshape(b, num_crops, t, -1),
        )
