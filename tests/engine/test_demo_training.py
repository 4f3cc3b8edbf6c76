"""A few iterations of training on a tiny generated demo set raise the test
AUC clearly above the untrained model's (configs/fgclip_demo.py, in-process).

The margin comes from measured runs (see MEASURED); the test itself runs one
seed.
"""

import os.path as osp
import uuid

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from fgclip_mm.datasets.demo_data import DemoConfig, make_demo_dataset

pytestmark = pytest.mark.slow

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SEED = 1
EPOCHS = 5  # x 2 iterations of 4 clips
# (untrained AUC, trained AUC) of this test, per seed, measured on the 2-core
# CPU machine (about 36 s a run there with other jobs running). Seed 0 gains
# least: its random initialisation already separates the bright explosions
# (per-class AUC 0.91 untrained) and training improves only the fights.
MEASURED = {0: (0.860, 0.914), 1: (0.725, 0.970), 2: (0.425, 0.948)}
# Below the gain of the test's seed (0.246) with room for numeric drift.
MARGIN = 0.15


def make_data(root: str, seed: int) -> None:
    """8 training and 8 test videos of 32-48 frames at 64x64."""
    make_demo_dataset(
        root,
        seed=seed,
        cfg=DemoConfig(
            num_train_normal=4,
            num_train_anomalous=4,
            num_test_normal=4,
            num_test_anomalous=4,
            size=64,
            min_frames=32,
            max_frames=48,
        ),
    )


def demo_cfg(work_dir: str, seed: int) -> Config:
    """configs/fgclip_demo.py shrunk to a few iterations (data root from
    ``FGCLIP_DEMO_ROOT``)."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fgclip_demo.py'))
    cfg.train_dataloader.dataset.times = 1
    cfg.train_dataloader.batch_size = 4
    cfg.train_cfg.max_epochs = EPOCHS
    # no warm-up or decay in so few iterations
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0)]
    cfg.randomness.seed = seed
    cfg.default_hooks.checkpoint = None
    cfg.log_level = 'WARNING'
    cfg.work_dir = work_dir
    cfg.experiment_name = f'demo_auc_{uuid.uuid4().hex}'
    return cfg


def untrained_and_trained_auc(tmp_path, monkeypatch, seed: int) -> tuple:
    """Test AUC of the demo model before and after ``EPOCHS`` of training."""
    root = str(tmp_path / 'data')
    make_data(root, seed)
    monkeypatch.setenv('FGCLIP_DEMO_ROOT', root)
    runner = Runner.from_cfg(demo_cfg(str(tmp_path / 'work'), seed))
    untrained = runner.test()['vad/AUC']
    runner.train()
    trained = runner.test()['vad/AUC']
    return untrained, trained


def test_a_few_iterations_raise_auc_clearly_above_the_untrained_model(
    tmp_path, monkeypatch
):
    untrained, trained = untrained_and_trained_auc(tmp_path, monkeypatch, SEED)
    assert trained >= untrained + MARGIN, (untrained, trained)
    assert trained >= 0.9  # every measured seed reached 0.91
