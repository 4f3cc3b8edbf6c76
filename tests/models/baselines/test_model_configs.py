"""The baselines' _base_ model configs build and run (tiny overrides)."""

import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config

from fgclip_mm.models.backbones import tiny_clip_arch

CONFIG_DIR = osp.join(
    osp.dirname(__file__), '..', '..', '..', 'configs', '_base_', 'models'
)
TINY_TEXT = tiny_clip_arch(
    embed_dim=32,
    image_size=16,
    patch_size=8,
    width=32,
    layers=1,
    heads=2,
    context_length=16,
)


def _build(name):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    head = cfg.model.head
    if 'text_encoder' in head:
        head.text_encoder.arch = TINY_TEXT
    if 'in_channels' in head:
        head.in_channels = 32
    if 'adapter' in head:
        head.adapter.num_heads = 2
    torch.manual_seed(0)
    return MODELS.build(cfg.model), cfg


@pytest.mark.parametrize(
    'name',
    [
        'mil_snippet.py',
        'rtfm_snippet.py',
        'arnet_snippet.py',
        'vadclip_snippet.py',
    ],
)
def test_trainable_configs_build_train_step_and_predict(name):
    model, cfg = _build(name)
    assert 'paper_optim_wrapper' in cfg
    samples = [ActionDataSample().set_gt_label(label) for label in (0, 1)]
    data = model.data_preprocessor(
        dict(
            inputs=[torch.randn(20, 2, 32) for _ in samples],
            data_samples=samples,
        ),
        True,
    )
    losses = model(**data, mode='loss')
    sum(losses.values()).backward()
    model.eval()
    out = model(**data, mode='predict')
    assert out[0].pred_frame_scores.shape == (20 * 16,)


def test_zero_shot_config_predicts_and_refuses_training():
    model, _ = _build('zeroshot-clip_snippet.py')
    sample = ActionDataSample().set_gt_label(1)
    out = model(torch.randn(1, 5, 1, 32), [sample], mode='predict')
    assert out[0].pred_frame_scores.shape == (80,)
    with pytest.raises(RuntimeError, match='not trainable'):
        model(torch.randn(1, 5, 1, 32), [sample], mode='loss')
