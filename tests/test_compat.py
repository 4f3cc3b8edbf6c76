"""The third-party workarounds of fgclip_mm.compat."""

import os
import os.path as osp
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from fgclip_mm import compat

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class RunsCodeOnLoad:
    """Unpickling this object runs a shell command (a malicious checkpoint)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


def test_mmaction_models_imports_after_fgclip_mm():
    out = subprocess.run(
        [
            sys.executable,
            '-c',
            'import fgclip_mm, mmaction.models; '
            'print(fgclip_mm.compat.applied_workarounds())',
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    assert 'mmaction2-missing-drn' in out.stdout


def test_mmaction_scope_base_config_resolves():
    cfg = Config.fromfile(
        os.path.join(REPO, 'configs/_base_/default_runtime.py')
    )
    assert cfg.default_scope == 'mmaction'  # inherited from mmaction::
    assert cfg.custom_imports['imports'] == ['fgclip_mm']
    assert cfg.default_hooks.logger.interval == 10  # our override


def test_mmengine_checkpoint_with_history_buffer_and_numpy_loads(tmp_path):
    buf = HistoryBuffer()
    buf.update(1.5)
    ckpt = dict(
        meta=dict(epoch=2, seed=np.int64(7), arr=np.arange(3.0)),
        message_hub=dict(log_scalars={'train/loss': buf}),
        state_dict={'w': torch.ones(2)},
    )
    path = tmp_path / 'epoch_2.pth'
    torch.save(ckpt, path)
    loaded = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert loaded['meta']['epoch'] == 2
    np.testing.assert_array_equal(loaded['meta']['arr'], np.arange(3.0))
    assert loaded['message_hub']['log_scalars']['train/loss'].current() == 1.5


def test_checkpoint_that_runs_code_is_refused_by_default(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(compat.UNSAFE_LOAD_ENV, raising=False)
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': RunsCodeOnLoad(marker)}, path)
    with pytest.raises(
        compat.UnsafeCheckpointError,
        match=f'evil.pth.*{compat.UNSAFE_LOAD_ENV}=1',
    ):
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert not marker.exists()


def test_unsafe_loading_is_an_explicit_opt_in(tmp_path, monkeypatch):
    marker = tmp_path / 'ran'
    path = tmp_path / 'trusted.pth'
    torch.save({'meta': RunsCodeOnLoad(marker)}, path)
    monkeypatch.setenv(compat.UNSAFE_LOAD_ENV, '1')
    CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert marker.exists()


def run_one_rank(script: str) -> subprocess.CompletedProcess:
    """Run ``script`` as rank 0 of a one-process torchrun-style group."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    env = dict(
        os.environ,
        RANK='0',
        LOCAL_RANK='0',
        WORLD_SIZE='1',
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(port),
        CUDA_VISIBLE_DEVICES='',
    )
    return subprocess.run(
        [sys.executable, '-c', script],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def test_init_dist_falls_back_to_gloo_without_cuda():
    out = run_one_rank(
        'import fgclip_mm, torch.distributed as dist\n'
        'from mmengine.dist import init_dist\n'
        "init_dist('pytorch', backend='nccl')\n"
        'print(dist.get_backend(), dist.get_world_size())\n'
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['gloo', '1']


def test_process_group_is_destroyed_at_interpreter_exit():
    # atexit runs handlers last-in first-out: one registered before
    # init_dist runs after the plugin's handler and sees what it left.
    out = run_one_rank(
        'import atexit, fgclip_mm, torch.distributed as dist\n'
        'from mmengine.dist import init_dist\n'
        "atexit.register(lambda: print('at exit', dist.is_initialized()))\n"
        "init_dist('pytorch', backend='nccl')\n"
        "print('after init', dist.is_initialized())\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ['after init True', 'at exit False']


GLOO_THREADS = (
    'def gloo_threads():\n'
    '    import os\n'
    "    names = [open(f'/proc/self/task/{t}/comm').read().strip()\n"
    "             for t in os.listdir('/proc/self/task')]\n"
    "    return sum('gloo' in n for n in names)\n"
)
needs_thread_names = pytest.mark.skipif(
    not osp.isdir('/proc/self/task'), reason='needs /proc thread names'
)
# a DDP model in a reference cycle, as the Runner keeps its wrapped model
DDP_IN_A_CYCLE = (
    'import torch\n'
    'class Holder: pass\n'
    'h = Holder(); h.me = h\n'
    'ddp = torch.nn.parallel.DistributedDataParallel\n'
    'h.model = ddp(torch.nn.Linear(2, 2))\n'
    "print('threads after init', gloo_threads() > 0)\n"
    'del h\n'
)


@needs_thread_names
def test_backend_threads_end_before_interpreter_finalisation():
    # the group's threads must not outlive the exit handlers: torn down
    # during finalisation they can abort the rank
    # (fgclip_mm.compat.cpu_distributed)
    out = run_one_rank(
        'import atexit, fgclip_mm\n'
        'from mmengine.dist import init_dist\n'
        + GLOO_THREADS
        + "atexit.register(lambda: print('threads at exit', gloo_threads()))\n"
        "init_dist('pytorch', backend='nccl')\n" + DDP_IN_A_CYCLE
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        'threads after init True',
        'threads at exit 0',
    ]


@needs_thread_names
def test_shutdown_distributed_ends_the_backend_threads():
    out = run_one_rank(
        'import fgclip_mm\n'
        'from mmengine.dist import init_dist\n'
        'from fgclip_mm.engine.distributed import shutdown_distributed\n'
        + GLOO_THREADS
        + "init_dist('pytorch', backend='nccl')\n"
        + DDP_IN_A_CYCLE
        + 'shutdown_distributed()\n'
        "print('threads after shutdown', gloo_threads())\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        'threads after init True',
        'threads after shutdown 0',
    ]


def test_every_workaround_module_is_applied():
    # a module added to fgclip_mm/compat/ but not to WORKAROUNDS would
    # never run
    import pkgutil

    names = {m.name for m in pkgutil.iter_modules(compat.__path__)}
    listed = {w.__name__.rsplit('.', 1)[1] for w in compat.WORKAROUNDS}
    assert names == listed
    assert all(callable(w.apply) and w.NAME for w in compat.WORKAROUNDS)
    assert len({w.NAME for w in compat.WORKAROUNDS}) == len(listed)


def test_apply_all_is_idempotent():
    assert compat.apply_all() == []


class WalksToBuiltins:
    """``getattr(getattr, '__self__')`` is the builtins module: from there a
    file could reach eval/exec. Only a real getattr in the allowlist makes
    this load."""

    def __reduce__(self):
        return (getattr, (getattr, '__self__'))


def test_checkpoint_cannot_walk_from_getattr_to_builtins(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(compat.UNSAFE_LOAD_ENV, raising=False)
    path = tmp_path / 'walk.pth'
    torch.save({'meta': WalksToBuiltins()}, path)
    with pytest.raises(compat.UnsafeCheckpointError, match='getattr'):
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def test_refusal_names_the_offending_global(tmp_path, monkeypatch):
    monkeypatch.delenv(compat.UNSAFE_LOAD_ENV, raising=False)
    path = tmp_path / 'evil.pth'
    torch.save({'meta': RunsCodeOnLoad(tmp_path / 'x')}, path)
    with pytest.raises(compat.UnsafeCheckpointError, match='system'):
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def test_checkpoint_functions_are_replaced_where_the_runner_finds_them():
    out = subprocess.run(
        [
            sys.executable,
            '-c',
            'import mmengine.runner as pkg, fgclip_mm\n'
            'from mmengine.runner import checkpoint as c, runner as r\n'
            'print(pkg.save_checkpoint is c.save_checkpoint '
            'is r.save_checkpoint, r.find_latest_checkpoint.__name__, '
            'r.Runner.load_checkpoint.__name__, '
            "'mmengine-atomic-checkpoints' in "
            'fgclip_mm.compat.applied_workarounds())',
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        'True',
        'find_resumable_checkpoint',
        'runner_load_checkpoint',
        'True',
    ]
