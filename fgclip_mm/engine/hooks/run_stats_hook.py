"""Per-epoch cost of a training run: wall time, throughput, peak memory and
parameter counts, logged and written to ``<work_dir>/run_stats.json``."""

import json
import os
import os.path as osp
import resource
import sys
import time
from typing import Dict, Optional

import torch
from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook

__all__ = ['RunStatsHook', 'count_parameters', 'peak_rss_mb']


def count_parameters(model: torch.nn.Module) -> Dict[str, int]:
    """Total and trainable parameter counts of a model (a DDP wrapper is
    looked through)."""
    model = getattr(model, 'module', model)
    params = list(model.parameters())
    return dict(
        params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # bytes on macOS, KiB on Linux
    return peak / 2**20 if sys.platform == 'darwin' else peak / 1024


@HOOKS.register_module()
class RunStatsHook(Hook):
    """Measure what each training epoch costs.

    After every training epoch it logs, and adds to the message hub as
    ``train/epoch_time`` etc., the epoch's wall time, the samples per second,
    the process's peak RSS and (on CUDA) the peak GPU memory, and rewrites
    ``<work_dir>/run_stats.json``::

        {"params": ..., "trainable_params": ...,
         "epochs": [{"epoch": 1, "epoch_time": s, "samples_per_s": ...,
                     "peak_rss_mb": ..., "peak_gpu_mb": ...}, ...]}

    ``tools/analysis/compare.py`` reads that file for its cost columns.

    Args:
        out_file (str): File name inside the work dir. Defaults to
            ``'run_stats.json'``.
    """

    priority = 'LOW'

    def __init__(self, out_file: str = 'run_stats.json') -> None:
        self.out_file = out_file
        self._tic: Optional[float] = None
        self._samples = 0
        self.stats: Dict = dict(epochs=[])

    def before_train(self, runner) -> None:
        self.stats.update(count_parameters(runner.model))
        path = osp.join(runner.work_dir, self.out_file)
        if osp.isfile(path):  # resumed: keep the epochs already measured
            with open(path) as f:
                previous = json.load(f)
            self.stats['epochs'] = [
                e
                for e in previous.get('epochs', [])
                if e['epoch'] <= runner.epoch
            ]

    def before_train_epoch(self, runner) -> None:
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        self._samples = 0
        self._tic = time.perf_counter()

    def after_train_iter(
        self, runner, batch_idx: int, data_batch=None, outputs=None
    ) -> None:
        inputs = (data_batch or {}).get('inputs', [])
        self._samples += len(inputs)

    def _epoch_stats(self, runner) -> Dict:
        seconds = time.perf_counter() - self._tic
        stats = dict(
            epoch=runner.epoch + 1,  # runner.epoch counts finished epochs
            epoch_time=seconds,
            samples_per_s=self._samples / max(seconds, 1e-9),
            peak_rss_mb=round(peak_rss_mb(), 1),
        )
        if torch.cuda.is_available():
            stats['peak_gpu_mb'] = round(
                torch.cuda.max_memory_allocated() / 2**20, 1
            )
        return stats

    def after_train_epoch(self, runner) -> None:
        stats = self._epoch_stats(runner)
        self.stats['epochs'].append(stats)
        for key, value in stats.items():
            if key != 'epoch':
                runner.message_hub.update_scalar(f'train/{key}', value)
        runner.logger.info(
            'run stats: ' + ', '.join(f'{k}={v}' for k, v in stats.items())
        )
        if is_main_process():
            path = osp.join(runner.work_dir, self.out_file)
            tmp = path + '.tmp'
            with open(tmp, 'w') as f:
                json.dump(self.stats, f, indent=1)
            os.replace(tmp, path)
