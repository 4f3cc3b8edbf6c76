"""tools/test.py --dump: reruns give the same dump, kills leave no partial.

The dump writer is ``fgclip_mm.evaluation.functional.dump.save_vad_dump``
(temporary name + rename).
"""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch

from fgclip_mm.apis import init_vad_model
from fgclip_mm.evaluation.functional import dump as dump_mod
from fgclip_mm.evaluation.functional.dump import load_vad_dump, save_vad_dump
from tests.engine.test_tools_end_to_end import (
    CONFIG,
    REPO,
    env,  # noqa: F401  (fixture)
    run,
)

VIDEOS = {
    'Abuse001': dict(
        scores=np.linspace(0, 1, 5), labels=[0, 1, 1, 0, 0], class_name='A'
    ),
    'Normal002': dict(scores=np.zeros(3), labels=[0, 0, 0], class_name=''),
}


def assert_same_dump(a, b):
    (va, ma), (vb, mb) = load_vad_dump(a), load_vad_dump(b)
    assert ma == mb and va.keys() == vb.keys()
    for vid in va:
        for key in ('scores', 'labels'):
            np.testing.assert_array_equal(va[vid][key], vb[vid][key])
        assert va[vid]['num_frames'] == vb[vid]['num_frames']


def test_a_writer_that_raises_keeps_the_previous_dump(tmp_path, monkeypatch):
    path = save_vad_dump(str(tmp_path / 'scores.npz'), VIDEOS, {'run': 1})
    before = open(path, 'rb').read()
    real = np.savez_compressed

    def fails_midway(f, **arrays):
        real(f, **arrays)
        f.truncate(100)
        raise OSError('disk full')

    monkeypatch.setattr(dump_mod.np, 'savez_compressed', fails_midway)
    with pytest.raises(OSError, match='disk full'):
        save_vad_dump(path, VIDEOS, {'run': 2})
    assert open(path, 'rb').read() == before
    assert os.listdir(tmp_path) == ['scores.npz']


KILLED_WRITER = """
import os, signal, sys
import numpy as np
from fgclip_mm.evaluation.functional import dump

def dies_midway(f, **arrays):
    f.write(b'PK\\x03\\x04 half of a dump')
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)

dump.np.savez_compressed = dies_midway
dump.save_vad_dump(sys.argv[1], {'v': dict(scores=[0.5], labels=[1])})
"""


@pytest.mark.parametrize('existing', [False, True])
def test_a_killed_writer_leaves_no_partial_dump(tmp_path, existing):
    path = tmp_path / 'scores.npz'
    if existing:
        save_vad_dump(str(path), VIDEOS)
        before = path.read_bytes()
    res = subprocess.run(
        [sys.executable, '-c', KILLED_WRITER, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == -signal.SIGKILL, res.stderr
    leftovers = sorted(os.listdir(tmp_path))
    assert [n for n in leftovers if n.endswith('.tmp')]  # killed mid-write
    if existing:
        assert path.read_bytes() == before
        assert_same_dump(str(path), str(path))
    else:
        assert not path.exists()


@pytest.mark.slow
def test_rerunning_tools_test_gives_the_same_dump(env, tmp_path):  # noqa: F811
    torch.manual_seed(0)
    ckpt = tmp_path / 'demo.pth'
    torch.save({'state_dict': init_vad_model(CONFIG).state_dict()}, ckpt)
    dump = tmp_path / 'scores.npz'
    for i in range(2):
        res, log = run(
            [
                sys.executable,
                'tools/test.py',
                CONFIG,
                str(ckpt),
                '--work-dir',
                str(tmp_path / f'work{i}'),
                '--dump',
                str(dump),
            ],
            env,
        )
        assert res.returncode == 0, log[-3000:]
        if i == 0:
            first = tmp_path / 'first.npz'
            first.write_bytes(dump.read_bytes())
    assert_same_dump(str(first), str(dump))  # the rerun replaced the file
    videos, meta = load_vad_dump(str(dump))
    assert len(videos) == 4 and 0.0 <= meta['metrics']['AUC'] <= 1.0
    assert not [n for n in os.listdir(tmp_path) if n.endswith('.tmp')]
