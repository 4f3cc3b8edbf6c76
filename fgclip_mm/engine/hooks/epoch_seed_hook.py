"""Reseed every RNG at each epoch start: a resumed run is bit-identical."""

import hashlib
import random
from typing import Optional

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.dist import get_rank
from mmengine.hooks import Hook


def epoch_seed(seed: int, epoch: int, rank: int) -> int:
    """A 32-bit seed that depends only on (seed, epoch, rank)."""
    digest = hashlib.blake2b(f'{seed}/{epoch}/{rank}'.encode(), digest_size=4)
    return int.from_bytes(digest.digest(), 'little')


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Set ``random``, numpy and torch seeds per (seed, epoch, rank).

    mmengine's resume restores the sampler's order but not the global RNG
    streams that random transforms (flips, frame sampling) and dropout draw
    from, so a run resumed at epoch k would otherwise diverge from an
    uninterrupted run. With this hook, epoch k sees the same random numbers
    either way.

    Args:
        seed (int, optional): base seed; defaults to the runner's seed.
    """

    priority = 'VERY_HIGH'

    def __init__(self, seed: Optional[int] = None) -> None:
        self.seed = seed

    def before_train_epoch(self, runner) -> None:
        base = self.seed if self.seed is not None else runner.seed
        value = epoch_seed(base, runner.epoch, get_rank())
        random.seed(value)
        np.random.seed(value)
        torch.manual_seed(value)
