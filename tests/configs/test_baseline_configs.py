"""Every baseline config resolves to a model whose dimensions and classes fit
its dataset, and the small ones build."""

import glob
import os.path as osp

import pytest
from mmaction.registry import MODELS
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'baselines', '*.py')))


def name(path):
    return osp.basename(path)


def test_every_method_has_a_config_per_dataset():
    names = {name(p) for p in CONFIGS}
    for method in ('mil', 'rtfm', 'arnet'):
        for dataset in ('demo', 'ucf', 'xd', 'sht'):
            assert any(
                n.startswith(method + '_') and n.endswith(f'_{dataset}.py')
                for n in names
            ), (method, dataset)
    for method in ('vadclip', 'zeroshot-clip'):
        for dataset in ('demo', 'ucf', 'xd'):
            assert any(
                n.startswith(method + '_') and n.endswith(f'_{dataset}.py')
                for n in names
            ), (method, dataset)


@pytest.mark.parametrize('path', CONFIGS, ids=name)
def test_head_fits_the_features_and_classes(path):
    cfg = Config.fromfile(path)
    head = cfg.model.head
    classes = cfg.test_dataloader.dataset.metainfo.classes
    if 'classes' in head:  # prompt-based heads score every class, in order
        assert len(head.classes) == len(classes)
        assert head.classes[0].lower() == 'normal'
    dims = (
        64
        if path.endswith('_demo.py')
        else (512 if 'clip-vit-b16' in path else 2048)
    )
    if 'in_channels' in head:
        assert head.in_channels == dims
    assert cfg.test_evaluator.type == 'VADMetric'


@pytest.mark.parametrize(
    'path', [p for p in CONFIGS if 'clip-vit-b16' not in p], ids=name
)
def test_small_baseline_models_build(path):
    cfg = Config.fromfile(path)
    if 'text_encoder' in cfg.model.head:
        cfg.model.head.text_encoder.pretrained = None
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
