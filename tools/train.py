"""Train a model from an fgclip_mm (or any MMAction2) config.

Same options as MMAction2's ``tools/train.py``; importing ``fgclip_mm`` first
makes the third-party workarounds active even for configs without
``custom_imports``.
"""

import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

from mmengine.config import Config, DictAction
from mmengine.runner import Runner
from torch.distributed.elastic.multiprocessing.errors import record

import fgclip_mm  # noqa: F401  (registers components, applies fgclip_mm.compat)
from fgclip_mm.compat import UnsafeCheckpointError
from fgclip_mm.engine import (
    CheckpointError,
    ConfigError,
    check_config,
    shutdown_distributed,
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line (``argv``, default ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Train an fgclip_mm model')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or from the latest one in the work '
        'dir when no path is given',
    )
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision (needs a GPU)',
    )
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='skip validation during training',
    )
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by the actual total batch size',
    )
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='a different seed on every rank',
    )
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='deterministic cuDNN / algorithms',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=3',
    )
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher',
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_randomness(cfg: Config, args: argparse.Namespace) -> None:
    """Update ``cfg.randomness`` with ``--seed``, ``--diff-rank-seed`` and
    ``--deterministic``.

    A flag that is given wins over the config; one that is not given leaves
    the config's value. (MMAction2's script reads the flags only when the
    config has no ``randomness``; ours always has one.)
    """
    randomness = dict(cfg.get('randomness', None) or {})
    randomness.setdefault('seed', None)
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line options to the config (MMAction2 semantics)."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join(
            './work_dirs', osp.splitext(osp.basename(args.config))[0]
        )
    if args.amp:
        wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(
                f'--amp needs OptimWrapper, the config has {wrapper}'
            )
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    merge_randomness(cfg, args)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


@record  # torchrun's summary shows the failing rank's exception
def main() -> None:
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    try:
        # unknown keys, wrong types, class-name typos, missing files: all
        # named before anything is built
        check_config(cfg, mode='train')
    except ConfigError as err:
        sys.exit(f'error: {err}')
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
    except (CheckpointError, UnsafeCheckpointError) as err:
        # unreadable, hostile or mismatched checkpoint: the message says
        # which file and which keys; a traceback would only hide it
        sys.exit(f'error: {err}')
    # every rank leaves together, and the model that holds the process
    # group is freed first (see shutdown_distributed)
    del runner
    shutdown_distributed()


if __name__ == '__main__':
    main()
