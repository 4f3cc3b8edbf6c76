"""EpochSeedHook on a stub runner: every RNG follows (seed, epoch, rank)."""

import os.path as osp
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmaction.registry import HOOKS
from mmengine.config import Config

from fgclip_mm.engine.hooks import EpochSeedHook, epoch_seed
from fgclip_mm.engine.hooks import epoch_seed_hook as hook_module

TESTS = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
REPO = osp.dirname(TESTS)


def draws() -> tuple:
    """One number from each global RNG that transforms and dropout use."""
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def draws_at(hook: EpochSeedHook, epoch: int, seed: int = 0) -> tuple:
    hook.before_train_epoch(SimpleNamespace(seed=seed, epoch=epoch))
    return draws()


def test_draws_differ_across_epochs_in_every_rng():
    hook = EpochSeedHook()
    by_epoch = [draws_at(hook, epoch) for epoch in range(3)]
    for rng in range(3):  # random, numpy, torch: each one reseeded
        assert len({d[rng] for d in by_epoch}) == 3, rng


def test_draws_repeat_within_an_epoch_whatever_came_before():
    hook = EpochSeedHook()
    first = draws_at(hook, 1)
    draws(), draws()  # the epoch consumes random numbers
    assert draws_at(hook, 1) == first


def test_a_resumed_run_draws_what_an_uninterrupted_run_draws():
    straight = EpochSeedHook()
    uninterrupted = [draws_at(straight, epoch) for epoch in range(3)]
    # a new process resumes at epoch 2 with unrelated global RNG states
    random.seed(123), np.random.seed(123), torch.manual_seed(123)
    assert draws_at(EpochSeedHook(), 2) == uninterrupted[2]


def test_draws_follow_the_runner_seed_or_the_hook_seed():
    hook = EpochSeedHook()
    assert draws_at(hook, 0, seed=0) != draws_at(hook, 0, seed=1)
    # an explicit seed replaces the runner's
    assert draws_at(EpochSeedHook(seed=1), 0, seed=0) == draws_at(
        hook, 0, seed=1
    )


def test_each_rank_draws_differently(monkeypatch):
    rank0 = draws_at(EpochSeedHook(), 0)
    monkeypatch.setattr(hook_module, 'get_rank', lambda: 1)
    rank1 = draws_at(EpochSeedHook(), 0)
    assert all(a != b for a, b in zip(rank0, rank1))


def test_the_seed_is_the_documented_function_of_seed_epoch_rank():
    hook = EpochSeedHook()
    hook.before_train_epoch(SimpleNamespace(seed=5, epoch=3))
    after_hook = draws()
    value = epoch_seed(5, 3, 0)
    random.seed(value), np.random.seed(value), torch.manual_seed(value)
    assert draws() == after_hook


def test_epoch_seed_differs_by_seed_epoch_and_rank():
    seeds = {
        epoch_seed(s, e, r)
        for s in range(2)
        for e in range(3)
        for r in range(2)
    }
    assert len(seeds) == 12
    assert all(0 <= s < 2**32 for s in seeds)


def test_registered_and_in_the_default_runtime():
    assert isinstance(HOOKS.build(dict(type='EpochSeedHook')), EpochSeedHook)
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'default_runtime.py')
    )
    assert dict(type='EpochSeedHook') in cfg.custom_hooks
    # runs before every other before_train_epoch hook that could draw numbers
    assert EpochSeedHook.priority == 'VERY_HIGH'


@pytest.fixture(autouse=True)
def _restore_global_rngs():
    state = random.getstate(), np.random.get_state(), torch.get_rng_state()
    yield
    random.setstate(state[0])
    np.random.set_state(state[1])
    torch.set_rng_state(state[2])
