"""tools/infer.py and init_vad_model: unusable checkpoints are named."""

import importlib.util
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_mm.apis import init_vad_model
from fgclip_mm.engine import CheckpointError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'fgclip_demo.py')
MIL = osp.join(REPO, 'configs', 'baselines', 'mil_tiny-clip-feat_30e_demo.py')


@pytest.fixture(scope='module')
def demo_state():
    torch.manual_seed(0)
    return init_vad_model(CONFIG).state_dict()


@pytest.fixture(scope='module')
def infer():
    spec = importlib.util.spec_from_file_location(
        'infer_tool_ckpt', osp.join(REPO, 'tools', 'infer.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_matching_checkpoint_loads_exactly(demo_state, tmp_path):
    path = tmp_path / 'epoch_1.pth'
    torch.save({'state_dict': demo_state, 'meta': {}}, path)
    torch.manual_seed(1)
    loaded = init_vad_model(CONFIG, str(path)).state_dict()
    for key, value in demo_state.items():
        assert torch.equal(loaded[key], value), key


def test_a_checkpoint_of_another_architecture_lists_the_keys(tmp_path):
    init_default_scope('mmaction')
    mil = MODELS.build(Config.fromfile(MIL).model).state_dict()
    path = tmp_path / 'mil_head.pth'
    torch.save({'state_dict': mil}, path)
    with pytest.raises(CheckpointError) as info:
        init_vad_model(CONFIG, str(path))
    msg = str(info.value)
    assert f'Checkpoint {path} does not fit' in msg
    assert f'{len(mil)} unexpected keys: {sorted(mil)[0]}' in msg
    assert 'missing keys: ' in msg and '... and ' in msg
    assert 'Use the config the checkpoint was trained with' in msg


def test_one_missing_key_is_named(demo_state, tmp_path):
    state = dict(demo_state)
    dropped = sorted(state)[-1]
    del state[dropped]
    path = tmp_path / 'pruned.pth'
    torch.save(state, path)  # a bare state dict also works
    with pytest.raises(CheckpointError) as info:
        init_vad_model(CONFIG, str(path))
    assert 'pruned.pth does not fit' in str(info.value)
    assert f': 1 missing key: {dropped}.' in str(info.value)


def test_infer_cli_exits_with_the_reason(infer, demo_state, tmp_path):
    path = tmp_path / 'half.pth'
    torch.save({'state_dict': demo_state}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    video = tmp_path / 'clip.mp4'
    video.write_bytes(b'')  # never opened: the checkpoint fails first
    with pytest.raises(SystemExit) as info:
        infer.main([CONFIG, str(path), str(video), '--out', str(tmp_path)])
    assert str(info.value).startswith(f'error: Cannot read checkpoint {path}')
    assert 'truncated' in str(info.value)


def test_checkpoints_from_before_the_logit_scale_move_still_load(
    demo_state, tmp_path
):
    state = dict(demo_state)
    scales = [
        state.pop('logit_scales.global_log_scale'),
        state.pop('logit_scales.region_log_scale'),
    ]
    state['loss_module.log_scales'] = torch.stack(scales) + 1.0
    path = tmp_path / 'old_format.pth'
    torch.save({'state_dict': state}, path)
    loaded = init_vad_model(CONFIG, str(path)).state_dict()
    assert torch.equal(loaded['logit_scales.global_log_scale'], scales[0] + 1)
    assert torch.equal(loaded['logit_scales.region_log_scale'], scales[1] + 1)
