"""tools/test.py: the command line as it reaches the config (no test run)."""

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
        'fgclip_test_tool', osp.join(REPO, 'tools', 'test.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def demo_cfg():
    return Config.fromfile(CONFIG)


@pytest.fixture(autouse=True)
def _keep_local_rank(monkeypatch):
    monkeypatch.setenv('LOCAL_RANK', '0')


def resolved(tool, cfg: Config, *argv: str) -> Config:
    args = tool.parse_args([CONFIG, *argv])
    return tool.merge_args(copy.deepcopy(cfg), args)


def test_checkpoint_none_means_no_weights(tool, demo_cfg):
    assert resolved(tool, demo_cfg, 'none').load_from is None
    assert resolved(tool, demo_cfg, 'NONE').load_from is None
    assert resolved(tool, demo_cfg, 'w.pth').load_from == 'w.pth'


def test_dump_goes_to_the_vad_metric(tool, demo_cfg, tmp_path):
    out = str(tmp_path / 'scores.json')
    cfg = resolved(tool, demo_cfg, 'w.pth', '--dump', out)
    assert cfg.test_evaluator.type == 'VADMetric'
    assert cfg.test_evaluator.dump_file == out


def test_dump_for_other_metrics_adds_dump_results(tool, demo_cfg):
    cfg = copy.deepcopy(demo_cfg)
    cfg.test_evaluator = dict(type='AccMetric')
    tool.add_dump(cfg, 'preds.pkl')
    assert cfg.test_evaluator == [
        dict(type='AccMetric'),
        dict(type='DumpResults', out_file_path='preds.pkl'),
    ]
    cfg = copy.deepcopy(demo_cfg)
    cfg.test_evaluator = dict(type='AccMetric')
    with pytest.raises(ValueError, match=r'must be a \.pkl file'):
        tool.add_dump(cfg, 'preds.json')


def test_cfg_options_and_work_dir(tool, demo_cfg, tmp_path):
    cfg = resolved(
        tool,
        demo_cfg,
        'none',
        '--work-dir',
        str(tmp_path),
        '--cfg-options',
        'test_evaluator.protocol=snippet16',
    )
    assert cfg.work_dir == str(tmp_path)
    assert cfg.test_evaluator.protocol == 'snippet16'
    cfg = resolved(tool, demo_cfg, 'none')
    assert cfg.work_dir == osp.join('./work_dirs', 'fgclip_demo')
