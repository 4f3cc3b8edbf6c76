import os.path as osp

import pytest

#: The benchmarks' annotation files (see tests/data/README.md).
DATA_ROOT = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data')


@pytest.fixture(scope='session')
def data_root() -> str:
    return DATA_ROOT
