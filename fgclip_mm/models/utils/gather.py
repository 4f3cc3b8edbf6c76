"""Cross-rank gathering for contrastive losses."""
import hashlib
from typing import Any, List, Sequence, Tuple

import torch
from mmengine.dist import all_gather, get_rank, get_world_size


class GatherLayer(torch.autograd.Function):
    """``all_gather`` that lets gradients flow back to this rank's slice."""

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        return tuple(all_gather(tensor))

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> torch.Tensor:
        return grads[get_rank()].contiguous()


def gather_with_grad(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` (B, ...) of all ranks along dim 0; identity on 1 rank.

    Every rank must pass the same B (mmengine's DefaultSampler pads ranks to equal
    length, and ``drop_last`` keeps batch sizes equal).
    """
    if get_world_size() == 1:
        return tensor
    return torch.cat(GatherLayer.apply(tensor), dim=0)


def text_ids(texts: Sequence[str], device=None) -> torch.Tensor:
    """Stable int64 ids of strings: equal strings get equal ids on every rank.

    Args:
        texts: B strings.

    Returns:
        Tensor: (B,) int64.
    """
    ids: List[int] = [
        int.from_bytes(hashlib.blake2b(t.encode('utf-8'), digest_size=8).digest(),
                       'little', signed=True) for t in texts
    ]
    return torch.tensor(ids, dtype=torch.long, device=device)
