"""DataLoader worker seeding that follows EpochSeedHook's per-epoch seeds."""

import random

import numpy as np
import torch
from mmengine.registry import FUNCTIONS


# the root registry: mmengine looks worker_init_fn up where
# pseudo_collate lives
@FUNCTIONS.register_module()
def epoch_worker_init_fn(worker_id: int) -> None:
    """Seed numpy and ``random`` in a DataLoader worker from torch's seed.

    PyTorch gives each worker ``base_seed + worker_id``, with ``base_seed``
    drawn from the main process's torch RNG when the epoch's iterator is
    created — after :class:`EpochSeedHook` reseeded it. So worker randomness
    (frame sampling, crops, flips) depends on (seed, epoch, rank, worker) only,
    and a resumed run draws the same numbers as an uninterrupted one.
    mmengine's default ``worker_init_fn`` reseeds workers with a constant
    instead (the same "random" frames every epoch without persistent workers,
    and epoch-0 streams again after a resume with them).

    Use with ``persistent_workers=False``:
    ``worker_init_fn=dict(type='epoch_worker_init_fn')``.
    """
    seed = torch.initial_seed() % 2**32
    np.random.seed(seed)
    random.seed(seed)
