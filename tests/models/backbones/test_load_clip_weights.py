"""Pretrained open_clip weights that do not fit are refused with reasons."""

import open_clip
import pytest
import torch

from fgclip_mm.engine import CheckpointError
from fgclip_mm.models.backbones import OpenCLIPBackbone, tiny_clip_arch
from fgclip_mm.models.backbones.open_clip_backbone import load_clip_weights


@pytest.fixture(scope='module')
def weights():
    torch.manual_seed(0)
    return open_clip.CLIP(**tiny_clip_arch()).state_dict()


def fresh_clip():
    return open_clip.CLIP(**tiny_clip_arch())


def test_missing_keys_are_listed_and_counted(weights, tmp_path):
    state = dict(weights)
    dropped = sorted(state)[:12]
    for key in dropped:
        del state[key]
    path = tmp_path / 'partial_clip.pt'
    torch.save(state, path)
    with pytest.raises(ValueError) as info:
        OpenCLIPBackbone(arch=tiny_clip_arch(), pretrained=str(path))
    msg = str(info.value)
    assert str(path) in msg
    assert '12 missing keys: ' + ', '.join(dropped[:10]) in msg
    assert '... and 2 more' in msg


def test_unexpected_keys_are_listed(weights, tmp_path):
    state = dict(weights, **{'text.extra.weight': torch.zeros(2)})
    path = tmp_path / 'extra.pt'
    torch.save(state, path)
    with pytest.raises(
        ValueError, match=r'extra\.pt.*1 unexpected key: text\.extra\.weight'
    ):
        load_clip_weights(fresh_clip(), str(path))


def test_shape_mismatch_names_both_shapes(weights, tmp_path):
    proj = weights['visual.proj']
    state = dict(weights, **{'visual.proj': torch.zeros(proj.shape[0] + 1, 8)})
    path = tmp_path / 'wide.pt'
    torch.save(state, path)
    expected = (
        f'visual.proj (checkpoint ({proj.shape[0] + 1}, 8) vs model '
        f'{tuple(proj.shape)})'
    )
    with pytest.raises(ValueError) as info:
        load_clip_weights(fresh_clip(), str(path))
    assert 'wide.pt does not fit' in str(info.value)
    assert expected in str(info.value)


@pytest.mark.parametrize('damage', ['truncated', 'text', 'empty'])
def test_unreadable_weight_files_are_named(weights, tmp_path, damage):
    path = tmp_path / 'clip.pt'
    torch.save(weights, path)
    data = path.read_bytes()
    path.write_bytes(
        {
            'truncated': data[: len(data) // 2],
            'text': b'<html>404 Not Found</html>',
            'empty': b'',
        }[damage]
    )
    with pytest.raises(
        CheckpointError, match=r'Cannot read CLIP weights .*clip\.pt'
    ):
        load_clip_weights(fresh_clip(), str(path))
