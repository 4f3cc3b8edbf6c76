"""Fixtures of the dataset tests."""

import pytest


@pytest.fixture(scope='session')
def demo_dir(tmp_path_factory):
    """A small demo dataset (written once per session)."""
    from fgclip_mm.datasets.demo_data import DemoConfig, make_demo_dataset

    out = str(tmp_path_factory.mktemp('demo'))
    make_demo_dataset(
        out,
        seed=1,
        cfg=DemoConfig(
            num_train_normal=3,
            num_train_anomalous=4,
            num_test_normal=2,
            num_test_anomalous=2,
        ),
    )
    return out
