"""The optimiser settings the configs build (on the demo model)."""

import os.path as osp

import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_no_weight_decay_on_scales_biases_norms_and_embeddings():
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'fgclip_demo.py'))
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {}
    names = {id(p): n for n, p in model.named_parameters()}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            decay[names[id(p)]] = group['weight_decay']
    base = cfg.optim_wrapper.optimizer.weight_decay
    assert base > 0
    no_decay = [
        n
        for n in decay
        if n.startswith('logit_scales.')
        or n.endswith('.bias')
        or 'positional_embedding' in n
        or 'class_embedding' in n
        or '.ln_' in n
        or 'norm' in n
    ]
    assert no_decay and all(decay[n] == 0 for n in no_decay), [
        n for n in no_decay if decay[n] != 0
    ]
    linear = [
        n
        for n, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and m.weight.requires_grad
    ]
    assert linear and all(decay[n + '.weight'] == base for n in linear)
