"""Checkpoint files: atomic saves, verification, key diffs with file names."""

import logging
import os
import types

import pytest
import torch
import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.runner import Runner
from mmengine.runner import checkpoint as mmengine_checkpoint

from fgclip_mm.compat import UnsafeCheckpointError
from fgclip_mm.engine.checkpoints import (
    CheckpointError,
    atomic_torch_save,
    diff_state_dict,
    load_state_dict_checked,
    read_checkpoint,
    verify_checkpoint_file,
)
from fgclip_mm.engine.runner_checkpoints import (
    find_resumable_checkpoint,
    require_exact_checkpoint,
)


class Small(nn.Module):
    def __init__(self, width: int = 4, extra: bool = False):
        super().__init__()
        self.fc = nn.Linear(3, width)
        self.bn = nn.BatchNorm1d(width)
        if extra:
            self.head = nn.Linear(width, 2)


def save(path, model=None, **meta):
    model = model or Small()
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(epoch=1, **meta)), path
    )
    return path


def truncate(path, keep: float = 0.5):
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[: int(len(data) * keep)])


class Warnings:
    """Collects what mmengine's current logger warns."""

    def __init__(self):
        self.lines = []

    def __enter__(self):
        self.handler = logging.Handler(logging.WARNING)
        self.handler.emit = lambda rec: self.lines.append(rec.getMessage())
        MMLogger.get_current_instance().addHandler(self.handler)
        return self.lines

    def __exit__(self, *exc):
        MMLogger.get_current_instance().removeHandler(self.handler)


# ---------------------------------------------------------------- saving
def test_atomic_save_writes_a_loadable_file_and_no_temporary(tmp_path):
    path = tmp_path / 'sub' / 'epoch_1.pth'
    atomic_torch_save({'w': torch.arange(3)}, str(path))
    assert torch.equal(read_checkpoint(str(path))['w'], torch.arange(3))
    assert os.listdir(path.parent) == ['epoch_1.pth']


def test_a_save_that_dies_midway_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'epoch_1.pth'
    atomic_torch_save({'w': torch.zeros(2)}, str(path))
    real_save = torch.save

    def dies_after_writing_some(obj, f):
        real_save(obj, f)
        f.truncate(10)
        raise KeyboardInterrupt('killed')

    monkeypatch.setattr(torch, 'save', dies_after_writing_some)
    with pytest.raises(KeyboardInterrupt, match='killed'):
        atomic_torch_save({'w': torch.ones(2)}, str(path))
    monkeypatch.setattr(torch, 'save', real_save)
    assert torch.equal(read_checkpoint(str(path))['w'], torch.zeros(2))
    assert os.listdir(tmp_path) == ['epoch_1.pth']


def test_mmengine_save_checkpoint_is_atomic_for_local_files(
    tmp_path, monkeypatch
):
    # fgclip_mm.compat.atomic_checkpoints replaced mmengine's function
    from fgclip_mm.engine import runner_checkpoints

    calls = []

    def recording(obj, path):
        calls.append(path)
        atomic_torch_save(obj, path)

    monkeypatch.setattr(runner_checkpoints, 'atomic_torch_save', recording)
    path = str(tmp_path / 'epoch_1.pth')
    mmengine_checkpoint.save_checkpoint({'meta': {}}, path)
    assert calls == [path]
    assert read_checkpoint(path) == {'meta': {}}
    assert os.listdir(tmp_path) == ['epoch_1.pth']


def test_remote_checkpoints_still_go_through_mmengine(monkeypatch):
    from fgclip_mm.engine.runner_checkpoints import save_checkpoint_atomically

    calls = []
    save_checkpoint_atomically(
        lambda *a: calls.append(a), {'x': 1}, 's3://bucket/epoch_1.pth'
    )
    assert calls == [({'x': 1}, 's3://bucket/epoch_1.pth', None, None)]


# ---------------------------------------------------------- verification
@pytest.mark.parametrize('keep', [0.0, 0.01, 0.5, 0.99])
def test_truncated_checkpoints_fail_verification(tmp_path, keep):
    path = save(tmp_path / 'epoch_1.pth')
    assert verify_checkpoint_file(str(path)) is None
    truncate(path, keep)
    reason = verify_checkpoint_file(str(path))
    assert reason is not None
    assert ('empty' if keep == 0 else 'truncated') in reason


def test_a_flipped_byte_fails_the_crc_check(tmp_path):
    path = save(tmp_path / 'epoch_1.pth', Small(width=64))
    data = bytearray(open(path, 'rb').read())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    torch.load(path, weights_only=True)  # torch itself does not notice
    assert 'CRC' in verify_checkpoint_file(str(path))


@pytest.mark.parametrize(
    'content', [b'', b'not a checkpoint\n', b'PK\x03\x04garbage']
)
def test_unreadable_files_are_named(tmp_path, content):
    path = save(tmp_path / 'weights.pth')
    if content:
        path.write_bytes(content)
    else:
        truncate(path, 0.6)
    with pytest.raises(CheckpointError, match=r'weights\.pth'):
        read_checkpoint(str(path))
    with pytest.raises(CheckpointError, match=r'Cannot read .*weights\.pth'):
        mmengine_checkpoint._load_checkpoint(str(path))


def test_missing_and_hostile_files_keep_their_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        read_checkpoint(str(tmp_path / 'nope.pth'))
    evil = tmp_path / 'evil.pth'
    torch.save({'meta': types.SimpleNamespace(x=1)}, evil)
    with pytest.raises(UnsafeCheckpointError, match='evil.pth'):
        read_checkpoint(str(evil))


# ------------------------------------------------------------- key diffs
def test_key_diff_agrees_with_torch_load_state_dict():
    model, other = Small(extra=True), Small()
    state = other.state_dict()
    state['old.weight'] = torch.zeros(1)
    diff = diff_state_dict(model.state_dict(), state)
    torch_says = model.load_state_dict(state, strict=False)
    assert diff.missing == sorted(torch_says.missing_keys)
    assert diff.unexpected == sorted(torch_says.unexpected_keys)
    assert not diff.shape_mismatch


def test_shape_mismatch_lists_both_shapes():
    diff = diff_state_dict(Small(width=8).state_dict(), Small().state_dict())
    assert ('fc.weight', (4, 3), (8, 3)) in diff.shape_mismatch
    assert 'fc.weight (checkpoint (4, 3) vs model (8, 3))' in diff.describe()
    assert diff.describe().startswith('6 shape mismatches: ')


def test_describe_lists_the_first_keys_and_counts_the_rest():
    expected = {f'k{i:02d}': torch.zeros(1) for i in range(13)}
    text = diff_state_dict(expected, {'x': torch.zeros(1)}).describe(limit=3)
    assert text == (
        '13 missing keys: k00, k01, k02 ... and 10 more; 1 unexpected key: x'
    )
    assert diff_state_dict(expected, expected).describe() == ''


def test_num_batches_tracked_is_ignored_like_mmengine():
    state = Small().state_dict()
    del state['bn.num_batches_tracked']
    assert not diff_state_dict(Small().state_dict(), state)


def test_strict_loading_raises_and_lenient_loading_warns(tmp_path):
    path = str(tmp_path / 'mil_head.pth')
    source = Small()
    state = source.state_dict()
    with pytest.raises(
        CheckpointError, match=r'mil_head\.pth.*Small: 2 missing keys'
    ):
        load_state_dict_checked(Small(extra=True), state, path)
    model = Small(extra=True)
    with Warnings() as lines:
        diff = load_state_dict_checked(model, state, path, strict=False)
    assert diff.missing == ['head.bias', 'head.weight']
    assert any('mil_head.pth' in ln and 'head.weight' in ln for ln in lines)
    assert torch.equal(model.fc.weight, source.fc.weight)


class RenamesOldKeys(Small):
    """A model whose loading hook renames a key of older checkpoints."""

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        old = state_dict.pop(prefix + 'fc.w_old', None)
        if old is not None:
            state_dict[prefix + 'fc.weight'] = old
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


def test_keys_are_compared_after_the_models_own_loading_hooks(tmp_path):
    source = Small()
    state = source.state_dict()
    state['fc.w_old'] = state.pop('fc.weight')
    model = RenamesOldKeys()
    assert not load_state_dict_checked(model, state, 'old.pth')
    assert torch.equal(model.fc.weight, source.fc.weight)
    state['fc.w_old'] = torch.zeros(9, 3)  # renamed, and still wrong
    with pytest.raises(CheckpointError, match=r'old\.pth .*fc\.weight'):
        load_state_dict_checked(RenamesOldKeys(), state, 'old.pth')


# ------------------------------------------------- runner loading checks
def fake_runner(model):
    return types.SimpleNamespace(
        model=model,
        logger=MMLogger.get_current_instance(),
        call_hook=lambda *a, **k: None,
    )


def test_resume_with_another_config_says_which_keys_differ(tmp_path):
    path = str(save(tmp_path / 'epoch_2.pth', Small()))
    runner = fake_runner(Small(width=8, extra=True))
    runner._fgclip_mm_resuming = True
    with pytest.raises(CheckpointError) as info:
        Runner.load_checkpoint(runner, path)
    msg = str(info.value)
    assert 'epoch_2.pth' in msg and 'different config' in msg
    assert '2 missing keys: head.bias, head.weight' in msg
    assert 'fc.weight (checkpoint (4, 3) vs model (8, 3))' in msg


def test_load_from_with_partial_overlap_names_the_file(tmp_path):
    source = Small()
    path = str(save(tmp_path / 'pretrain.pth', source))
    runner = fake_runner(Small(extra=True))
    with Warnings() as lines:
        Runner.load_checkpoint(runner, path)
    assert any('pretrain.pth' in ln and 'head.bias' in ln for ln in lines)
    assert torch.equal(runner.model.fc.weight, source.fc.weight)


def test_test_runs_refuse_a_checkpoint_of_another_model(tmp_path):
    path = str(save(tmp_path / 'other.pth', Small()))
    runner = fake_runner(Small(extra=True))
    require_exact_checkpoint(runner)
    with pytest.raises(CheckpointError, match=r'other\.pth.*head\.bias'):
        Runner.load_checkpoint(runner, path)


def test_matching_checkpoint_loads_without_warnings(tmp_path):
    source = Small()
    path = str(save(tmp_path / 'epoch_1.pth', source))
    runner = fake_runner(Small())
    runner._fgclip_mm_resuming = True
    with Warnings() as lines:
        ckpt = Runner.load_checkpoint(runner, path)
    assert ckpt['meta']['epoch'] == 1 and lines == []
    assert torch.equal(runner.model.fc.bias, source.fc.bias)


# ------------------------------------------------ resume: pick and verify
def pointer(work_dir, target):
    (work_dir / 'last_checkpoint').write_text(str(target))


def test_resume_takes_the_checkpoint_last_checkpoint_names(tmp_path):
    for epoch in (1, 2):
        save(tmp_path / f'epoch_{epoch}.pth')
    pointer(tmp_path, tmp_path / 'epoch_1.pth')
    with Warnings() as lines:
        found = find_resumable_checkpoint(str(tmp_path))
    assert found == str(tmp_path / 'epoch_1.pth') and lines == []


def test_resume_falls_back_from_a_truncated_newest_checkpoint(tmp_path):
    for epoch in (1, 2, 3):
        save(tmp_path / f'epoch_{epoch}.pth')
    truncate(tmp_path / 'epoch_3.pth')
    pointer(tmp_path, tmp_path / 'epoch_3.pth')
    with Warnings() as lines:
        found = find_resumable_checkpoint(str(tmp_path))
    assert found == str(tmp_path / 'epoch_2.pth')
    assert any(
        'epoch_3.pth' in ln and 'truncated' in ln and 'epoch_2.pth' in ln
        for ln in lines
    ), lines


def test_an_empty_last_checkpoint_falls_back_to_the_newest(tmp_path):
    for name in ('epoch_2.pth', 'epoch_10.pth', 'best_auc.pth'):
        save(tmp_path / name)
    pointer(tmp_path, '')
    (tmp_path / 'epoch_11.pth.123.tmp').write_bytes(b'PK')
    with Warnings() as lines:
        found = find_resumable_checkpoint(str(tmp_path))
    assert found == str(tmp_path / 'epoch_10.pth')  # numeric, not text order
    assert any('last_checkpoint' in ln for ln in lines)
    assert not (tmp_path / 'epoch_11.pth.123.tmp').exists()


def test_a_fresh_work_dir_has_nothing_to_resume(tmp_path):
    assert find_resumable_checkpoint(str(tmp_path)) is None
    assert find_resumable_checkpoint(str(tmp_path / 'absent')) is None


def test_no_intact_checkpoint_is_an_error_listing_them(tmp_path):
    save(tmp_path / 'epoch_1.pth')
    truncate(tmp_path / 'epoch_1.pth')
    pointer(tmp_path, tmp_path / 'epoch_2.pth')
    with pytest.raises(
        CheckpointError, match=r'epoch_2\.pth: .*not exist.*epoch_1\.pth'
    ):
        find_resumable_checkpoint(str(tmp_path))
