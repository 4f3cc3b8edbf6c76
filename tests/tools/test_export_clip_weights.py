import importlib.util
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool():
    path = osp.join(ROOT, 'tools', 'export_clip_weights.py')
    spec = importlib.util.spec_from_file_location('export_clip', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_exported_clip_loads_into_a_backbone_with_equal_outputs(tmp_path):
    torch.manual_seed(0)
    model_cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'models', 'fgclip_tiny.py')
    ).model
    model_cfg.scorer = None
    recognizer = MODELS.build(model_cfg).eval()
    ckpt = tmp_path / 'epoch_1.pth'
    torch.save(
        dict(meta=dict(epoch=1), state_dict=recognizer.state_dict()), ckpt
    )
    out = load_tool().main([str(ckpt), str(tmp_path / 'clip.pt')])
    backbone = MODELS.build(
        dict(
            type='OpenCLIPBackbone',
            arch=model_cfg.backbone.arch,
            pretrained=out,
        )
    ).eval()
    texts = ['a person running', 'a fire']
    with torch.no_grad():
        expected = recognizer.backbone.encode_text(texts)
        got = backbone.encode_text(texts)
    torch.testing.assert_close(got, expected)


def test_checkpoint_without_a_clip_is_named():
    tool = load_tool()
    with pytest.raises(KeyError, match="no weights under 'backbone.clip.'"):
        tool.clip_state_dict(dict(state_dict={'head.fc.weight': 0}))
    state = tool.clip_state_dict(
        dict(state_dict={'module.backbone.clip.x': 1, 'head.y': 2})
    )
    assert state == {'x': 1}
