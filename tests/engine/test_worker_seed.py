"""DataLoader workers seeded from the epoch's RNG, as set by EpochSeedHook."""

from functools import partial
from types import SimpleNamespace

import numpy as np
from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn
from torch.utils.data import DataLoader, Dataset

from fgclip_mm.engine import epoch_worker_init_fn
from fgclip_mm.engine.hooks import EpochSeedHook


class NumpyRandom(Dataset):
    """Draws from numpy's global RNG, as random transforms do."""

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return np.random.rand()


def worker_draws(epoch: int, init_fn) -> list:
    """What two workers draw in ``epoch`` after the hook reseeded."""
    EpochSeedHook().before_train_epoch(SimpleNamespace(seed=0, epoch=epoch))
    loader = DataLoader(
        NumpyRandom(),
        batch_size=1,
        num_workers=2,
        worker_init_fn=init_fn,
        persistent_workers=False,
    )
    return [float(x) for x in loader]


def test_worker_draws_depend_on_the_epoch_and_repeat_for_the_same_epoch():
    epoch0 = worker_draws(0, epoch_worker_init_fn)
    epoch1 = worker_draws(1, epoch_worker_init_fn)
    assert epoch0 != epoch1
    assert worker_draws(0, epoch_worker_init_fn) == epoch0  # resumed epoch 0


def test_mmengine_default_repeats_the_same_draws_every_epoch():
    # why the configs replace it: identical "random" frames and flips
    init = partial(mmengine_worker_init_fn, num_workers=2, rank=0, seed=0)
    assert worker_draws(0, init) == worker_draws(1, init)
