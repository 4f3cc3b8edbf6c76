import os.path as osp

import pytest

#: Fixtures copied from shared/data (see tests/data/evaluation/README.md).
DATA_ROOT = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'data', 'evaluation'
)


@pytest.fixture(scope='session')
def data_root() -> str:
    return DATA_ROOT
