"""Temporal adapter: a small transformer over frames, identity at init."""

from typing import Dict, Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule


@MODELS.register_module()
class TemporalAdapter(BaseModule):
    """Residual temporal transformer whose output projection starts at zero.

    ``out = x + proj(transformer(x + pos))`` with ``proj`` zero-initialised, so
    at step 0 the adapter is the identity and the video embedding is plain
    CLIP's mean frame embedding.

    Args:
        embed_dims (int): D, the joint embedding dimension.
        num_layers (int): transformer layers; 0 makes the adapter the identity.
            Defaults to 1.
        num_heads (int): attention heads. Defaults to 8.
        max_frames (int): size of the learned temporal position table.
            Defaults to 64.
        dropout (float): dropout inside the transformer. Defaults to 0.
        pooling (str): ``'mean'`` or ``'attention'`` (learned per-frame
        weights,
            zero-initialised so they start uniform). Defaults to ``'mean'``.
    """

    def __init__(
        self,
        embed_dims: int,
        num_layers: int = 1,
        num_heads: int = 8,
        max_frames: int = 64,
        dropout: float = 0.0,
        pooling: str = 'mean',
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if pooling not in ('mean', 'attention'):
            raise ValueError(
                f"pooling must be 'mean' or 'attention', got {pooling!r}"
            )
        self.num_layers = num_layers
        self.pooling = pooling
        self.max_frames = max_frames
        if num_layers > 0:
            self.pos_embed = nn.Parameter(
                torch.zeros(1, max_frames, embed_dims)
            )
            layer = nn.TransformerEncoderLayer(
                embed_dims,
                num_heads,
                dim_feedforward=embed_dims * 2,
                dropout=dropout,
                batch_first=True,
                norm_first=True,
            )
            self.transformer = nn.TransformerEncoder(
                layer, num_layers, enable_nested_tensor=False
            )
            self.out_proj = nn.Linear(embed_dims, embed_dims)
        if pooling == 'attention':
            self.pool_logits = nn.Linear(embed_dims, 1)
        self._zero_init()

    def _zero_init(self) -> None:
        if self.num_layers > 0:
            nn.init.normal_(self.pos_embed, std=0.02)
            nn.init.zeros_(self.out_proj.weight)
            nn.init.zeros_(self.out_proj.bias)
        if self.pooling == 'attention':
            nn.init.zeros_(self.pool_logits.weight)
            nn.init.zeros_(self.pool_logits.bias)

    def init_weights(self) -> None:
        """Keep the zero-initialised output (mmengine would re-init it)."""
        self._zero_init()

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """Adapt frame embeddings.

        Args:
            frames (Tensor): (B, T, D).

        Returns:
            Tensor: (B, T, D) adapted frame embeddings.
        """
        if self.num_layers == 0:
            return frames
        t = frames.shape[1]
        if t > self.max_frames:
            raise ValueError(
                f'{t} frames exceed max_frames={self.max_frames} '
                'of the temporal adapter'
            )
        h = self.transformer(frames + self.pos_embed[:, :t])
        return frames + self.out_proj(h)

    def pool(self, frames: torch.Tensor) -> torch.Tensor:
        """Pool adapted frame embeddings (B, T, D) to a video one (B, D)."""
        if self.pooling == 'mean':
            return frames.mean(dim=1)
        weights = self.pool_logits(frames).softmax(dim=1)  # (B, T, 1)
        return (weights * frames).sum(dim=1)
