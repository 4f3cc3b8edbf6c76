"""Masked per-video operations on snippet scores (VAD baselines)."""

from typing import Callable, List, Optional

import torch


def full_mask(
    scores: torch.Tensor, mask: Optional[torch.Tensor]
) -> torch.Tensor:
    """``mask`` as a BoolTensor shaped like ``scores`` (all True when None).

    Args:
        scores (Tensor): (N, T).
        mask (Tensor, optional): (N, T) True for real snippets.

    Returns:
        Tensor: (N, T) bool.
    """
    if mask is None:
        return torch.ones_like(scores, dtype=torch.bool)
    return mask.to(device=scores.device, dtype=torch.bool)


def masked_max(
    scores: torch.Tensor, mask: Optional[torch.Tensor] = None
) -> torch.Tensor:
    """Maximum over the real snippets of each video.

    Args:
        scores (Tensor): (N, T).
        mask (Tensor, optional): (N, T) True for real snippets.

    Returns:
        Tensor: (N,).
    """
    mask = full_mask(scores, mask)
    return scores.masked_fill(~mask, float('-inf')).max(dim=1).values


def topk_per_video(
    values: torch.Tensor,
    mask: Optional[torch.Tensor],
    k_of_length: Callable[[int], int],
) -> List[torch.Tensor]:
    """Indices of the top-k values of each video, k depending on its length.

    Args:
        values (Tensor): (N, T) selection values (scores or magnitudes).
        mask (Tensor, optional): (N, T) True for real snippets.
        k_of_length (callable): number of real snippets -> k (clamped to
            ``[1, length]``).

    Returns:
        list[Tensor]: N LongTensors of indices, the i-th of length k_i.
    """
    mask = full_mask(values, mask)
    lengths = mask.sum(dim=1).tolist()
    filled = values.masked_fill(~mask, float('-inf'))
    out = []
    for i, length in enumerate(lengths):
        k = max(1, min(int(k_of_length(int(length))), max(int(length), 1)))
        out.append(filled[i].topk(k).indices)
    return out


def topk_mean(
    values: torch.Tensor,
    mask: Optional[torch.Tensor],
    k_of_length: Callable[[int], int],
) -> torch.Tensor:
    """Mean of the top-k values of each video (MIL top-k pooling).

    Args:
        values (Tensor): (N, T) or (N, T, K); selected along T, per last
            channel independently when 3-D.
        mask (Tensor, optional): (N, T) True for real snippets.
        k_of_length (callable): number of real snippets -> k (clamped to
            ``[1, length]``).

    Returns:
        Tensor: (N,) or (N, K).
    """
    mask = full_mask(values if values.dim() == 2 else values[..., 0], mask)
    lengths = mask.sum(dim=1).tolist()
    ks = torch.tensor(
        [
            max(1, min(int(k_of_length(int(n))), max(int(n), 1)))
            for n in lengths
        ],
        device=values.device,
    )
    real = mask if values.dim() == 2 else mask[..., None]
    ranked = (
        values.masked_fill(~real, float('-inf'))
        .sort(dim=1, descending=True)
        .values
    )
    rank = torch.arange(values.shape[1], device=values.device)
    keep = rank[None] < ks[:, None]  # (N, T)
    if values.dim() == 3:
        keep, ks = keep[..., None], ks[:, None]
    return ranked.masked_fill(~keep, 0.0).sum(dim=1) / ks


def masked_smoothness(
    scores: torch.Tensor, mask: Optional[torch.Tensor] = None
) -> torch.Tensor:
    """Per-video sum of squared differences of consecutive real snippets.

    Args:
        scores (Tensor): (N, T).
        mask (Tensor, optional): (N, T) True for real snippets.

    Returns:
        Tensor: (N,) ``sum_t (s_t - s_{t+1})^2`` over pairs of real snippets.
    """
    mask = full_mask(scores, mask)
    diff = (scores[:, 1:] - scores[:, :-1]) ** 2
    pair = mask[:, 1:] & mask[:, :-1]
    return (diff * pair).sum(dim=1)


def masked_sum(
    scores: torch.Tensor, mask: Optional[torch.Tensor] = None
) -> torch.Tensor:
    """Per-video sum over real snippets, (N, T) -> (N,)."""
    return (scores * full_mask(scores, mask)).sum(dim=1)


def probability_bce(
    probs: torch.Tensor, targets: torch.Tensor, eps: float = 1e-7
) -> torch.Tensor:
    """Mean binary cross-entropy of probabilities, in float32.

    Written out instead of ``F.binary_cross_entropy``, which refuses to run
    under CUDA autocast (mixed-precision training of the baselines).

    Args:
        probs (Tensor): (M,) probabilities.
        targets (Tensor): (M,) 0/1 targets.
        eps (float): probabilities are clamped to ``[eps, 1 - eps]``.

    Returns:
        Tensor: scalar.
    """
    p = probs.float().clamp(eps, 1 - eps)
    y = targets.float()
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()
