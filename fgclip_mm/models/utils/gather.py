"""Cross-rank gathering for contrastive losses."""

import hashlib
from typing import Any, List, Sequence, Tuple

import torch
from mmengine.dist import all_gather, all_reduce, get_rank, get_world_size


class GatherLayer(torch.autograd.Function):
    """``all_gather`` whose backward sums every rank's gradient of each slice.

    Rank r's features act as negatives in every rank's loss, so their gradient
    is the sum over ranks (as ``torch.distributed.nn.all_gather`` computes);
    taking only the local gradient would drop the other ranks' contributions.
    """

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        return tuple(all_gather(tensor))

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> torch.Tensor:
        stacked = torch.stack(grads).contiguous()
        all_reduce(stacked, op='sum')
        return stacked[get_rank()]


def gather_with_grad(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` (B, ...) of all ranks (identity on one rank).

    Every rank must pass the same B (mmengine's DefaultSampler pads ranks to
    equal length). Gradients flow back to every rank's slice (see
    :class:`GatherLayer`).
    """
    if get_world_size() == 1:
        return tensor
    return torch.cat(GatherLayer.apply(tensor), dim=0)


def gather_no_grad(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` (B, ...) of all ranks, without autograd."""
    if get_world_size() == 1:
        return tensor
    return torch.cat(all_gather(tensor), dim=0)


def text_ids(texts: Sequence[str], device=None) -> torch.Tensor:
    """Stable int64 ids of strings: equal strings get equal ids on every rank.

    Args:
        texts: B strings.

    Returns:
        Tensor: (B,) int64.
    """
    ids: List[int] = [
        int.from_bytes(
            hashlib.blake2b(t.encode('utf-8'), digest_size=8).digest(),
            'little',
            signed=True,
        )
        for t in texts
    ]
    return torch.tensor(ids, dtype=torch.long, device=device)
