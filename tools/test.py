"""Test a checkpoint with an fgclip_mm (or any MMAction2) config.

Same options as MMAction2's ``tools/test.py``. ``--dump`` writes the per-video
results of the VAD metric (see docs/evaluation.md), or MMAction2's raw
predictions
for other metrics.
"""

import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.runner import Runner
from torch.distributed.elastic.multiprocessing.errors import record

import fgclip_mm  # noqa: F401  (registers components, applies fgclip_mm.compat)
from fgclip_mm.compat import UnsafeCheckpointError
from fgclip_mm.engine import (
    CheckpointError,
    ConfigError,
    check_config,
    require_exact_checkpoint,
    shutdown_distributed,
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line (``argv``, default ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Test an fgclip_mm model')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        'checkpoint',
        help='checkpoint file (or "none" for '
        'zero-shot configs that need no trained weights)',
    )
    parser.add_argument('--work-dir', help='where the evaluation log goes')
    parser.add_argument(
        '--dump', type=str, help='write per-video results to this file'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. test_evaluator.protocol=snippet16',
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


def add_dump(cfg: Config, path: str) -> None:
    """Route ``--dump`` to the VAD metric, else to MMAction2's DumpResults."""
    evaluators = (
        cfg.test_evaluator
        if isinstance(cfg.test_evaluator, list)
        else [cfg.test_evaluator]
    )
    vad = [e for e in evaluators if e.get('type') == 'VADMetric']
    if vad:
        for e in vad:
            e['dump_file'] = path
        return
    if not path.endswith(('.pkl', '.pickle')):
        raise ValueError('--dump for non-VAD metrics must be a .pkl file')
    cfg.test_evaluator = evaluators + [
        dict(type='DumpResults', out_file_path=path)
    ]


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line options to the config (MMAction2 semantics)."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join(
            './work_dirs', osp.splitext(osp.basename(args.config))[0]
        )
    cfg.load_from = (
        None if args.checkpoint.lower() == 'none' else args.checkpoint
    )
    if args.dump is not None:
        add_dump(cfg, args.dump)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def print_metrics(metrics: dict) -> None:
    """Print the scalar metrics as an aligned table."""
    rows = [(k, v) for k, v in metrics.items() if isinstance(v, (int, float))]
    if not rows:
        return
    width = max(len(k) for k, _ in rows)
    print('\n' + '-' * (width + 14))
    for key, value in rows:
        print(
            f'{key:<{width}}  {value:>10.4f}'
            if isinstance(value, float)
            else f'{key:<{width}}  {value:>10d}'
        )
    print('-' * (width + 14))


@record  # torchrun's summary shows the failing rank's exception
def main() -> None:
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    try:
        # unknown keys, wrong types, class-name typos, missing files: all
        # named before anything is built
        check_config(cfg, mode='test')
    except ConfigError as err:
        sys.exit(f'error: {err}')
    runner = Runner.from_cfg(cfg)
    try:
        # a checkpoint of another model is an error, not half-random weights
        require_exact_checkpoint(runner)
        metrics = runner.test()
    except (CheckpointError, UnsafeCheckpointError) as err:
        sys.exit(f'error: {err}')
    if is_main_process():
        print_metrics(metrics)
    # every rank leaves together, and the model that holds the process
    # group is freed first (see shutdown_distributed)
    del runner
    shutdown_distributed()


if __name__ == '__main__':
    main()
