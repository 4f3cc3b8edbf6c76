"""Per-epoch seeding of the main process and of DataLoader workers."""
from functools import partial

import numpy as np
import torch
from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn
from torch.utils.data import DataLoader, Dataset

from fgclip_mm.engine import epoch_worker_init_fn
from fgclip_mm.engine.hooks import epoch_seed


class NumpyRandom(Dataset):
    """Draws from numpy's global RNG, as random transforms do."""

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return np.random.rand()


def draws(epoch: int, init_fn) -> list:
    torch.manual_seed(epoch_seed(0, epoch, 0))  # what EpochSeedHook does
    loader = DataLoader(NumpyRandom(), batch_size=1, num_workers=2,
                        worker_init_fn=init_fn, persistent_workers=False)
    return [float(x) for x in loader]


def test_worker_draws_depend_on_the_epoch_and_repeat_for_the_same_epoch():
    epoch0, epoch1 = draws(0, epoch_worker_init_fn), draws(1, epoch_worker_init_fn)
    assert epoch0 != epoch1
    assert draws(0, epoch_worker_init_fn) == epoch0  # a resumed epoch 0


def test_mmengine_default_repeats_the_same_draws_every_epoch():
    # why the config replaces it: identical "random" frames and flips each epoch
    init = partial(mmengine_worker_init_fn, num_workers=2, rank=0, seed=0)
    assert draws(0, init) == draws(1, init)


def test_epoch_seed_differs_by_epoch_and_rank():
    seeds = {epoch_seed(0, e, r) for e in range(3) for r in range(2)}
    assert len(seeds) == 6
