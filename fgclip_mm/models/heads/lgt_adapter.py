"""Local-global temporal adapter of VadCLIP (Wu et al., AAAI 2024)."""

import math
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule

from ..utils.snippet_ops import full_mask


class GraphConvolution(nn.Module):
    """``adj @ (x W)`` plus a residual connection (VadCLIP's GCN layer).

    Args:
        in_dims (int): input width.
        out_dims (int): output width.
    """

    def __init__(self, in_dims: int, out_dims: int) -> None:
        super().__init__()
        self.weight = nn.Linear(in_dims, out_dims, bias=False)
        self.residual = (
            nn.Identity()
            if in_dims == out_dims
            else nn.Linear(in_dims, out_dims, bias=False)
        )

    def forward(self, x: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:
        """(N, T, C), (N, T, T) -> (N, T, C')."""
        return adj @ self.weight(x) + self.residual(x)


def similarity_adjacency(
    x: torch.Tensor, mask: torch.Tensor, threshold: float = 0.7
) -> torch.Tensor:
    """Feature-similarity adjacency (VadCLIP Sec. 3.2, Eq. 2).

    Cosine similarity, values ``<= threshold`` set to 0, softmax over each
    row restricted to the real snippets; padded rows and columns are 0.

    Args:
        x (Tensor): (N, T, C).
        mask (Tensor): (N, T) bool, real snippets.

    Returns:
        Tensor: (N, T, T).
    """
    xn = F.normalize(x, dim=-1)
    sim = F.threshold(xn @ xn.transpose(1, 2), threshold, 0.0)
    pair = mask[:, :, None] & mask[:, None, :]
    adj = sim.masked_fill(~pair, float('-inf')).softmax(dim=-1)
    return torch.nan_to_num(adj, nan=0.0) * pair


def distance_adjacency(mask: torch.Tensor) -> torch.Tensor:
    """Position-distance adjacency ``exp(-|i - j| / e)`` (VadCLIP Eq. 3).

    Args:
        mask (Tensor): (N, T) bool, real snippets.

    Returns:
        Tensor: (N, T, T), 0 on padded rows / columns.
    """
    t = mask.shape[1]
    pos = torch.arange(t, device=mask.device, dtype=torch.float32)
    dist = torch.exp(-(pos[:, None] - pos[None, :]).abs() / math.e)
    pair = mask[:, :, None] & mask[:, None, :]
    return dist[None] * pair


@MODELS.register_module()
class LGTAdapter(BaseModule):
    """LGT-Adapter: local windowed transformer + two-branch GCN.

    Wu et al., "VadCLIP: Adapting Vision-Language Models for Weakly
    Supervised Video Anomaly Detection", AAAI 2024, Sec. 3.2. Learned frame
    position embeddings; pre-LN transformer layers whose attention is
    restricted to non-overlapping windows of ``window`` snippets (local
    module); then the global module: two GCN layers over the similarity
    adjacency and two over the distance adjacency (width D/2 each, GELU),
    concatenated and projected back to D.

    Args:
        embed_dims (int): D.
        window (int): local attention window. Defaults to 8 (paper: 8 for
            UCF-Crime, 64 for XD-Violence).
        num_layers (int): transformer layers. Defaults to 2.
        num_heads (int): attention heads. Defaults to 8.
        max_len (int): number of position embeddings. Defaults to 256.
        threshold (float): similarity threshold. Defaults to 0.7.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
        self,
        embed_dims: int,
        window: int = 8,
        num_layers: int = 2,
        num_heads: int = 8,
        max_len: int = 256,
        threshold: float = 0.7,
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.window = window
        self.num_heads = num_heads
        self.threshold = threshold
        self.position = nn.Embedding(max_len, embed_dims)
        nn.init.normal_(self.position.weight, std=0.01)
        layer = nn.TransformerEncoderLayer(
            embed_dims,
            num_heads,
            4 * embed_dims,
            dropout=0.0,
            activation='gelu',
            batch_first=True,
            norm_first=True,
        )
        self.local = nn.TransformerEncoder(
            layer, num_layers, enable_nested_tensor=False
        )
        half = embed_dims // 2
        self.gc_sim = nn.ModuleList(
            [GraphConvolution(embed_dims, half), GraphConvolution(half, half)]
        )
        self.gc_dis = nn.ModuleList(
            [GraphConvolution(embed_dims, half), GraphConvolution(half, half)]
        )
        self.proj = nn.Linear(2 * half, embed_dims)

    def attention_mask(self, mask: torch.Tensor) -> torch.Tensor:
        """(N * heads, T, T) bool, True = not allowed (PyTorch convention).

        A snippet sees the real snippets of its own window (and itself).
        """
        t = mask.shape[1]
        win = torch.arange(t, device=mask.device) // self.window
        allowed = (win[:, None] == win[None, :])[None] & mask[:, None, :]
        allowed = (
            allowed | torch.eye(t, dtype=torch.bool, device=mask.device)[None]
        )
        return (~allowed).repeat_interleave(self.num_heads, dim=0)

    def forward(
        self, x: torch.Tensor, mask: Optional[torch.Tensor] = None
    ) -> torch.Tensor:
        """Adapt snippet features.

        Args:
            x (Tensor): (N, T, D).
            mask (Tensor, optional): (N, T) real snippets.

        Returns:
            Tensor: (N, T, D).
        """
        t = x.shape[1]
        if t > self.position.num_embeddings:
            raise ValueError(
                f'{t} snippets exceed max_len={self.position.num_embeddings}'
            )
        mask = full_mask(x[..., 0], mask)
        x = x + self.position.weight[:t][None]
        x = self.local(x, mask=self.attention_mask(mask))
        adj_sim = similarity_adjacency(x, mask, self.threshold)
        adj_dis = distance_adjacency(mask)
        h_sim, h_dis = x, x
        for gc in self.gc_sim:
            h_sim = F.gelu(gc(h_sim, adj_sim))
        for gc in self.gc_dis:
            h_dis = F.gelu(gc(h_dis, adj_dis))
        return self.proj(torch.cat([h_sim, h_dis], dim=-1))
