"""A fault on one of 2 gloo ranks ends every rank with the error shown, no
hang (issue 13 part 7); a NaN loss on one rank stops (or is skipped by)
every rank alike (NonFiniteLossHook's cross-rank flag).

Faults are injected by a test-only hook module written to a temporary
folder on PYTHONPATH and imported with ``custom_imports``. The subprocess
timeout is the hang detector; the configs also lower the collective timeout
(``env_cfg.dist_cfg.timeout``, torch's default for gloo is 30 minutes) so
that a rank left waiting in a collective would fail after 120 s instead.
"""

import os.path as osp
import subprocess

import pytest

from . import test_tools_end_to_end as e2e
from .test_nonfinite import write_features

REPO, free_port = e2e.REPO, e2e.free_port
env = e2e.env  # the fixture: a small demo dataset and its environment

pytestmark = pytest.mark.slow

# generous: a 2-rank run of these configs takes about 30 s on 2 busy cores
HANG_LIMIT_S = 300

FAULT_HOOK = '''
from mmaction.registry import HOOKS
from mmengine.dist import get_rank
from mmengine.hooks import Hook


@HOOKS.register_module()
class InjectFaultHook(Hook):
    """On ``rank`` at (1-based) ``iteration``: raise, or make the output of
    ``model.<module>`` NaN for one forward pass."""

    def __init__(self, rank=1, iteration=2, kind='raise', module='backbone'):
        self.rank, self.iteration = rank, iteration
        self.kind, self.module = kind, module

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if get_rank() != self.rank or runner.iter + 1 != self.iteration:
            return
        if self.kind == 'raise':
            raise RuntimeError(
                f'injected fault on rank {self.rank} at iteration '
                f'{self.iteration}')
        model = getattr(runner.model, 'module', runner.model)
        handle = []

        def nan_output(module, args, out):
            handle[0].remove()
            if isinstance(out, dict):
                return dict(out, scores=out['scores'] * float('nan'))
            return (out[0] * float('nan'),) + tuple(out[1:])

        target = getattr(model, self.module)
        handle.append(target.register_forward_hook(nan_output))
'''

CONFIG = """
_base_ = {base!r}
custom_imports = dict(
    imports=['fgclip_mm', 'fault_hook'], allow_failed_imports=False)
custom_hooks = [dict(type='EpochSeedHook'), dict(type='InjectFaultHook',
                kind={kind!r}, module={module!r})]
env_cfg = dict(dist_cfg=dict(timeout=120))
default_hooks = dict(checkpoint=None, logger=dict(interval=1),
                     nonfinite_loss=dict(action={action!r}))
train_cfg = dict(max_epochs=3)
"""


def run_faulty(
    tmp_path, env, base, kind, module='backbone', action='raise', options=()
):
    (tmp_path / 'fault_hook.py').write_text(FAULT_HOOK)
    config = tmp_path / 'fault_cfg.py'
    config.write_text(
        CONFIG.format(
            base=osp.join(REPO, base), kind=kind, module=module, action=action
        )
    )
    env = dict(env, PORT=str(free_port()), PYTHONPATH=str(tmp_path))
    res = subprocess.run(
        [
            'bash',
            'tools/dist_train.sh',
            str(config),
            '2',
            '--work-dir',
            str(tmp_path / 'work'),
            '--cfg-options',
            *options,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_LIMIT_S,  # the hang detector
    )
    return res.returncode, res.stdout + res.stderr


def test_a_rank_raising_ends_every_rank_with_the_error_shown(env, tmp_path):
    # 8 videos, 2 per rank and batch: two iterations per epoch
    rc, out = run_faulty(
        tmp_path,
        env,
        'configs/fgclip_demo.py',
        'raise',
        options=[
            'train_dataloader.dataset.times=1',
            'train_dataloader.batch_size=2',
        ],
    )
    assert rc != 0, out[-3000:]
    assert (
        '[rank1]: RuntimeError: injected fault on rank 1 at iteration 2' in out
    ), out[-3000:]
    assert 'Epoch(train) [1][1/2]' in out  # it trained before the fault
    assert 'Epoch(train) [1][2/2]' not in out


@pytest.fixture
def features_env(env, tmp_path):
    root = tmp_path / 'features'
    root.mkdir()
    write_features(str(root))
    return dict(env, FGCLIP_DEMO_ROOT=str(root))


MIL_OPTIONS = [
    'train_dataloader.batch_size=2',
    'train_dataloader.dataset.ann_file={root}/index.json',
]


def mil_options(env):
    return [o.format(root=env['FGCLIP_DEMO_ROOT']) for o in MIL_OPTIONS]


def test_a_nan_loss_on_one_rank_stops_every_rank(features_env, tmp_path):
    rc, out = run_faulty(
        tmp_path,
        features_env,
        'configs/baselines/mil_tiny-clip-feat_30e_demo.py',
        'nan',
        module='head',
        options=mil_options(features_env),
    )
    assert rc != 0, out[-3000:]
    assert (
        '[rank1]: fgclip_mm.engine.hooks.nonfinite_loss_hook.'
        'NonFiniteLossError: Non-finite loss at epoch 2, iteration 2' in out
    ), out[-3000:]
    assert 'loss_rank=nan' in out
    # rank 0's own loss was finite: it stops too, pointing at the other rank
    assert (
        '[rank0]: fgclip_mm.engine.hooks.nonfinite_loss_hook.'
        'NonFiniteLossError: Non-finite loss on another rank at epoch 2, '
        'iteration 2' in out
    ), out[-3000:]


def test_skip_mode_skips_on_every_rank_and_training_goes_on(
    features_env, tmp_path
):
    rc, out = run_faulty(
        tmp_path,
        features_env,
        'configs/baselines/mil_tiny-clip-feat_30e_demo.py',
        'nan',
        module='head',
        action='skip',
        options=mil_options(features_env),
    )
    assert rc == 0, out[-3000:]
    assert 'Epoch(train) [3][1/1]' in out  # DDP trains on after the skip
    assert (
        '1 training steps with a non-finite loss were skipped in this '
        'run: epoch 2 iteration 2' in out
    ), out[-3000:]
