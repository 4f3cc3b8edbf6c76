import os

import pytest
import torch

# Tests are small; two threads match CI's 2 cores and keep timings stable.
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(TESTS_DIR, 'data')


@pytest.fixture(scope='session', autouse=True)
def _mmaction_scope():
    from mmaction.utils import register_all_modules

    import fgclip_mm  # noqa: F401

    register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def data_root() -> str:
    """Copies of the benchmarks' real annotation files
    (see tests/data/README.md)."""
    return DATA_DIR
