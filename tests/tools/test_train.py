"""tools/train.py: the command line as it reaches the config, without
training."""

import copy
import importlib.util
import os.path as osp

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'fgclip_demo.py')


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location(
        'fgclip_train_tool', osp.join(REPO, 'tools', 'train.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def demo_cfg():
    return Config.fromfile(CONFIG)


def resolved(tool, cfg: Config, *flags: str) -> Config:
    """The config after the script's argument handling."""
    args = tool.parse_args([CONFIG, *flags])
    return tool.merge_args(copy.deepcopy(cfg), args)


@pytest.fixture(autouse=True)
def _keep_local_rank(monkeypatch):
    # parse_args sets LOCAL_RANK when absent, as MMAction2's script does
    monkeypatch.setenv('LOCAL_RANK', '0')


def test_config_has_randomness_so_the_flags_must_update_it(demo_cfg):
    assert demo_cfg.randomness == dict(
        seed=0, diff_rank_seed=False, deterministic=False
    )


def test_no_flags_keep_the_config_randomness(tool, demo_cfg):
    cfg = resolved(tool, demo_cfg)
    assert cfg.randomness == demo_cfg.randomness


def test_deterministic_and_diff_rank_seed_flags_update_randomness(
    tool, demo_cfg
):
    cfg = resolved(tool, demo_cfg, '--deterministic', '--diff-rank-seed')
    assert cfg.randomness == dict(
        seed=0, diff_rank_seed=True, deterministic=True
    )
    cfg = resolved(tool, demo_cfg, '--deterministic')
    assert cfg.randomness == dict(
        seed=0, diff_rank_seed=False, deterministic=True
    )


def test_seed_flag_sets_only_the_seed(tool, demo_cfg):
    cfg = resolved(tool, demo_cfg, '--seed', '7', '--diff-rank-seed')
    assert cfg.randomness == dict(
        seed=7, diff_rank_seed=True, deterministic=False
    )


def test_flags_fill_a_config_without_randomness(tool, demo_cfg):
    cfg = copy.deepcopy(demo_cfg)
    cfg.randomness = None
    cfg = tool.merge_args(cfg, tool.parse_args([CONFIG, '--deterministic']))
    assert cfg.randomness == dict(seed=None, deterministic=True)


def test_cfg_options_are_applied_last(tool, demo_cfg):
    cfg = resolved(
        tool,
        demo_cfg,
        '--seed',
        '7',
        '--cfg-options',
        'randomness.seed=3',
        'train_cfg.max_epochs=2',
    )
    assert cfg.randomness.seed == 3 and cfg.train_cfg.max_epochs == 2


def test_no_validate_resume_and_work_dir(tool, demo_cfg, tmp_path):
    cfg = resolved(
        tool,
        demo_cfg,
        '--no-validate',
        '--resume',
        '--work-dir',
        str(tmp_path),
    )
    assert cfg.val_cfg is None and cfg.val_dataloader is None
    assert cfg.resume is True and cfg.load_from is None
    assert cfg.work_dir == str(tmp_path)
    cfg = resolved(tool, demo_cfg, '--resume', 'ckpt.pth')
    assert cfg.resume is True and cfg.load_from == 'ckpt.pth'
    assert cfg.work_dir == osp.join('./work_dirs', 'fgclip_demo')


def test_amp_switches_the_optim_wrapper(tool, demo_cfg):
    cfg = resolved(tool, demo_cfg, '--amp')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'


def test_amp_refuses_another_optim_wrapper(tool, demo_cfg):
    cfg = copy.deepcopy(demo_cfg)
    cfg.optim_wrapper.type = 'ApexOptimWrapper'
    with pytest.raises(ValueError, match='--amp needs OptimWrapper'):
        tool.merge_args(cfg, tool.parse_args([CONFIG, '--amp']))


def test_config_mistakes_stop_the_tool_before_anything_is_built(
    tool, monkeypatch, tmp_path
):
    monkeypatch.setattr(
        'sys.argv',
        [
            'train.py',
            CONFIG,
            '--work-dir',
            str(tmp_path),
            '--cfg-options',
            'model.region_head.roi_sise=7',
        ],
    )
    with pytest.raises(SystemExit, match=r'model\.region_head\.roi_sise'):
        tool.main()
    assert not list(tmp_path.iterdir())  # no runner, no log folder
