"""The README's commands, end to end on a small demo dataset (subprocesses).

Covers: train -> resume -> test, bit-identical resume, 2-rank gloo training and
evaluation, MMAction2's stock scripts on our config, and the refusal of a
checkpoint that would run code on load.
"""

import importlib.util
import os
import os.path as osp
import re
import socket
import subprocess
import sys

import pytest
import torch

from fgclip_mm.compat import load_checkpoint_file

pytestmark = pytest.mark.slow

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/fgclip_demo.py'
SMALL = [
    'train_dataloader.dataset.times=1',
    'train_dataloader.batch_size=4',
    'default_hooks.checkpoint.interval=1',
    'default_hooks.logger.interval=1',
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo')
    res = subprocess.run(
        [
            sys.executable,
            'tools/data/make_demo_dataset.py',
            '--out',
            str(root),
            '--seed',
            '0',
            '--num-train-normal',
            '4',
            '--num-train-anomalous',
            '4',
            '--num-test-normal',
            '2',
            '--num-test-anomalous',
            '2',
            '--min-frames',
            '24',
            '--max-frames',
            '32',
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    return dict(
        os.environ,
        FGCLIP_DEMO_ROOT=str(root),
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='1',
    )


def run(args, env, timeout=600):
    res = subprocess.run(
        args,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    # faulthandler's list of extension modules would fill a failure's tail
    out = '\n'.join(
        line
        for line in (res.stdout + res.stderr).splitlines()
        if not line.startswith('Extension modules:')
    )
    return res, out


def train(env, work_dir, epochs, *extra, script='tools/train.py'):
    return run(
        [
            sys.executable,
            script,
            CONFIG,
            '--work-dir',
            str(work_dir),
            *extra,
            '--cfg-options',
            *SMALL,
            f'train_cfg.max_epochs={epochs}',
        ],
        env,
    )


def metrics_of(output: str) -> dict:
    """``vad/...`` values from the metric log line of a test run."""
    line = [
        ln
        for ln in output.splitlines()
        if 'Epoch(test)' in ln and 'vad/AUC' in ln
    ]
    assert line, output[-3000:]
    return {
        k: float(v)
        for k, v in re.findall(r'(vad/[\w@/]+): ([-\d.naN]+)', line[-1])
    }


def test_train_resume_is_bit_identical_and_test_loads_the_checkpoint(
    env, tmp_path
):
    interrupted, straight = tmp_path / 'interrupted', tmp_path / 'straight'
    res, out = train(env, interrupted, 2)
    assert res.returncode == 0, out[-3000:]
    res, out = train(env, interrupted, 3, '--resume')
    assert res.returncode == 0, out[-3000:]
    assert re.search(r'resumed epoch: 2', out), out[-3000:]
    assert 'Epoch(train) [1]' not in out  # no epoch is trained twice
    res, out = train(env, straight, 3)
    assert res.returncode == 0, out[-3000:]

    a = load_checkpoint_file(str(interrupted / 'epoch_3.pth'))['state_dict']
    b = load_checkpoint_file(str(straight / 'epoch_3.pth'))['state_dict']
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key

    res, out = run(
        [
            sys.executable,
            'tools/test.py',
            CONFIG,
            str(interrupted / 'epoch_3.pth'),
            '--work-dir',
            str(tmp_path / 'test'),
        ],
        env,
    )
    assert res.returncode == 0, out[-3000:]
    assert 0.0 <= metrics_of(out)['vad/AUC'] <= 1.0


def test_two_gloo_ranks_train_and_evaluate_like_one_process(env, tmp_path):
    work = tmp_path / 'dist'
    res, out = run(
        [
            'bash',
            'tools/dist_train.sh',
            CONFIG,
            '2',
            '--work-dir',
            str(work),
            '--cfg-options',
            *SMALL,
            'train_cfg.max_epochs=1',
        ],
        dict(env, PORT=str(free_port())),
    )
    assert res.returncode == 0, out[-3000:]
    assert 'gloo' in out
    ckpt = str(work / 'epoch_1.pth')
    res, single = run(
        [
            sys.executable,
            'tools/test.py',
            CONFIG,
            ckpt,
            '--work-dir',
            str(tmp_path / 'single'),
        ],
        env,
    )
    assert res.returncode == 0, single[-3000:]
    res, dist = run(
        [
            'bash',
            'tools/dist_test.sh',
            CONFIG,
            ckpt,
            '2',
            '--work-dir',
            str(tmp_path / 'dist_test'),
        ],
        dict(env, PORT=str(free_port())),
    )
    assert res.returncode == 0, dist[-3000:]
    assert metrics_of(dist) == metrics_of(single)


def mmaction_stock_tool(name: str) -> str:
    root = importlib.util.find_spec('mmaction').submodule_search_locations[0]
    return osp.join(root, '.mim', 'tools', name)


def test_mmaction_stock_scripts_run_our_config(env, tmp_path):
    work = tmp_path / 'stock'
    res, out = train(env, work, 1, script=mmaction_stock_tool('train.py'))
    assert res.returncode == 0, out[-3000:]
    ckpt = str(work / 'epoch_1.pth')
    assert osp.isfile(ckpt)
    res, stock = run(
        [
            sys.executable,
            mmaction_stock_tool('test.py'),
            CONFIG,
            ckpt,
            '--work-dir',
            str(tmp_path / 'stock_test'),
        ],
        env,
    )
    assert res.returncode == 0, stock[-3000:]
    res, ours = run(
        [
            sys.executable,
            'tools/test.py',
            CONFIG,
            ckpt,
            '--work-dir',
            str(tmp_path / 'our_test'),
        ],
        env,
    )
    assert res.returncode == 0, ours[-3000:]
    assert metrics_of(stock) == metrics_of(ours)


class RunsCodeOnLoad:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


def test_tools_refuse_a_checkpoint_that_runs_code(env, tmp_path):
    marker = tmp_path / 'pwned'
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': RunsCodeOnLoad(marker)}, evil)
    res, out = run(
        [
            sys.executable,
            'tools/test.py',
            CONFIG,
            str(evil),
            '--work-dir',
            str(tmp_path / 'evil_test'),
        ],
        env,
    )
    assert res.returncode != 0
    assert 'Refused to load checkpoint' in out and 'evil.pth' in out
    assert not marker.exists()


def test_resume_is_bit_identical_with_dataloader_workers(env, tmp_path):
    """Random transforms run in workers: their seeds must follow the epoch."""
    workers = ['train_dataloader.num_workers=2']
    interrupted, straight = tmp_path / 'interrupted', tmp_path / 'straight'
    for work, epochs, extra in (
        (interrupted, 1, []),
        (interrupted, 2, ['--resume']),
        (straight, 2, []),
    ):
        res, out = run(
            [
                sys.executable,
                'tools/train.py',
                CONFIG,
                '--work-dir',
                str(work),
                *extra,
                '--cfg-options',
                *SMALL,
                *workers,
                f'train_cfg.max_epochs={epochs}',
            ],
            env,
        )
        assert res.returncode == 0, out[-3000:]
    a = load_checkpoint_file(str(interrupted / 'epoch_2.pth'))['state_dict']
    b = load_checkpoint_file(str(straight / 'epoch_2.pth'))['state_dict']
    for key in a:
        assert torch.equal(a[key], b[key]), key
