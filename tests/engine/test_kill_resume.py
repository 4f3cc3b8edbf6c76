"""Killed training runs lose nothing; bad checkpoints are refused by name.

Subprocess runs of ``tools/train.py`` / ``tools/test.py`` on the tiny demo set
(the ``env`` fixture and helpers of ``test_tools_end_to_end``). Faults are
injected by a wrapper around ``tools/train.py``: a pause right after the
first checkpoint (the test then SIGKILLs the process) or a SIGKILL of the
process by itself halfway through writing a checkpoint.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import torch

from fgclip_mm.compat import load_checkpoint_file
from tests.engine.test_tools_end_to_end import (  # noqa: F401  (fixture)
    CONFIG,
    REPO,
    SMALL,
    env,
    run,
    train,
)

pytestmark = pytest.mark.slow

FAULTY_TRAIN = '''
"""tools/train.py with one injected fault (FGCLIP_TEST_FAULT)."""
import io, os, runpy, signal, sys, time
import torch

fault = os.environ['FGCLIP_TEST_FAULT']
if fault == 'pause_after_first_checkpoint':
    from mmengine.hooks import CheckpointHook

    after_epoch = CheckpointHook.after_train_epoch

    def paused(self, runner):
        after_epoch(self, runner)  # checkpoint and last_checkpoint written
        open(os.environ['FGCLIP_TEST_MARKER'], 'w').close()
        time.sleep(600)

    CheckpointHook.after_train_epoch = paused
elif fault.startswith('die_in_save:'):
    epoch, real_save = int(fault.split(':')[1]), torch.save

    def dying_save(obj, f, *args, **kwargs):
        meta = obj.get('meta', {}) if isinstance(obj, dict) else {}
        if meta.get('epoch') == epoch and hasattr(f, 'write'):
            buf = io.BytesIO()
            real_save(obj, buf, *args, **kwargs)
            f.write(buf.getvalue()[: buf.tell() // 2])
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return real_save(obj, f, *args, **kwargs)

    torch.save = dying_save
sys.argv = ['tools/train.py'] + sys.argv[1:]
runpy.run_path('tools/train.py', run_name='__main__')
'''


def faulty_train_cmd(tmp_path, work_dir, epochs):
    script = tmp_path / 'faulty_train.py'
    script.write_text(FAULTY_TRAIN)
    return [
        sys.executable,
        str(script),
        CONFIG,
        '--work-dir',
        str(work_dir),
        '--cfg-options',
        *SMALL,
        f'train_cfg.max_epochs={epochs}',
    ]


@pytest.fixture(scope='module')
def straight(env, tmp_path_factory):  # noqa: F811
    """An uninterrupted 3-epoch run (same seed as every run here)."""
    work = tmp_path_factory.mktemp('straight')
    res, out = train(env, work, 3)
    assert res.returncode == 0, out[-3000:]
    return work


def assert_same_final_weights(work, straight):
    a = load_checkpoint_file(str(work / 'epoch_3.pth'))['state_dict']
    b = load_checkpoint_file(str(straight / 'epoch_3.pth'))['state_dict']
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_sigkill_after_the_first_checkpoint_then_resume(
    env,  # noqa: F811
    straight,
    tmp_path,
):
    work, marker = tmp_path / 'killed', tmp_path / 'paused'
    proc = subprocess.Popen(
        faulty_train_cmd(tmp_path, work, 3),
        cwd=REPO,
        env=dict(
            env,
            FGCLIP_TEST_FAULT='pause_after_first_checkpoint',
            FGCLIP_TEST_MARKER=str(marker),
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and proc.poll() is None:
            assert time.monotonic() < deadline, 'no checkpoint in 300 s'
            time.sleep(0.2)
        assert proc.poll() is None, 'the run ended before it was killed'
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert (work / 'last_checkpoint').read_text().endswith('epoch_1.pth')
    assert not (work / 'epoch_2.pth').exists()

    res, out = train(env, work, 3, '--resume')
    assert res.returncode == 0, out[-3000:]
    assert 'resumed epoch: 1' in out, out[-3000:]
    assert_same_final_weights(work, straight)


def test_killed_while_writing_a_checkpoint_then_resume(
    env,  # noqa: F811
    straight,
    tmp_path,
):
    work = tmp_path / 'killed_in_save'
    res, out = run(
        faulty_train_cmd(tmp_path, work, 3),
        dict(env, FGCLIP_TEST_FAULT='die_in_save:2'),
    )
    assert res.returncode == -signal.SIGKILL, out[-3000:]
    # half of epoch 2 was written, never under the final name
    assert [p.name for p in work.glob('epoch_2.pth.*.tmp')]
    assert not (work / 'epoch_2.pth').exists()

    res, out = train(env, work, 3, '--resume')
    assert res.returncode == 0, out[-3000:]
    assert 'resumed epoch: 1' in out, out[-3000:]
    assert re.search(r'Removing \S+epoch_2\.pth\.\d+\.tmp', out)
    assert not list(work.glob('*.tmp'))
    assert_same_final_weights(work, straight)


def test_resume_falls_back_when_the_newest_checkpoint_is_truncated(
    env,  # noqa: F811
    straight,
    tmp_path,
):
    work = tmp_path / 'damaged'
    shutil.copytree(straight, work)
    newest = work / 'epoch_3.pth'
    data = newest.read_bytes()
    newest.write_bytes(data[: len(data) // 2])
    (work / 'last_checkpoint').write_text(str(newest))

    res, out = train(env, work, 3, '--resume')
    assert res.returncode == 0, out[-3000:]
    assert re.search(
        r'WARNING - Not resuming from \S+epoch_3\.pth: .*truncated.*'
        r'Falling back to \S+epoch_2\.pth',
        out,
    ), out[-3000:]
    assert 'resumed epoch: 2' in out
    assert_same_final_weights(work, straight)


def test_resume_with_a_checkpoint_of_another_config_lists_the_keys(
    env,  # noqa: F811
    straight,
    tmp_path,
):
    ckpt = load_checkpoint_file(str(straight / 'epoch_1.pth'))
    weights = ckpt['state_dict']
    removed, reshaped = sorted(k for k in weights if weights[k].ndim)[:2]
    del weights[removed]
    weights['old_head.weight'] = torch.zeros(2)
    shape = tuple(weights[reshaped].shape)
    weights[reshaped] = torch.zeros(*(s + 1 for s in shape))
    other = tmp_path / 'other_config.pth'
    torch.save(ckpt, other)

    res, out = train(env, tmp_path / 'work', 3, '--resume', str(other))
    assert res.returncode == 1, out[-3000:]
    assert f'error: Checkpoint {other} does not fit' in out
    assert f'1 missing key: {removed}' in out
    assert '1 unexpected key: old_head.weight' in out
    bigger = tuple(s + 1 for s in shape)
    assert f'{reshaped} (checkpoint {bigger} vs model {shape})' in out
    assert 'different config' in out and 'Traceback' not in out


def mil_checkpoint(path):
    """A MIL-baseline state dict: another architecture for the demo model."""
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    cfg = Config.fromfile(
        os.path.join(REPO, 'configs/baselines/mil_tiny-clip-feat_30e_demo.py')
    )
    init_default_scope('mmaction')
    model = MODELS.build(cfg.model)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return sorted(model.state_dict())


def test_tools_test_refuses_another_architecture_and_truncated_files(
    env,  # noqa: F811
    straight,
    tmp_path,
):
    mil = tmp_path / 'mil_head.pth'
    mil_keys = mil_checkpoint(mil)
    truncated = tmp_path / 'half.pth'
    data = (straight / 'epoch_1.pth').read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    first_mil_key = re.escape(mil_keys[0])
    for ckpt, expected in (
        (mil, [r'missing keys: ', rf'unexpected keys?: {first_mil_key}']),
        (truncated, [r'Cannot read checkpoint', r'truncated']),
    ):
        res, out = run(
            [
                sys.executable,
                'tools/test.py',
                CONFIG,
                str(ckpt),
                '--work-dir',
                str(tmp_path / 'test'),
            ],
            env,
        )
        assert res.returncode == 1, out[-3000:]
        assert 'error: ' in out and str(ckpt) in out, out[-3000:]
        for pattern in expected:
            assert re.search(pattern, out), (pattern, out[-3000:])
