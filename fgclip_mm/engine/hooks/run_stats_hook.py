"""Per-epoch cost of a training run: wall time, throughput, peak memory and
parameter counts, logged and written to ``<work_dir>/run_stats.json``, into
each checkpoint and into the test dump of a run that tests it."""

import copy
import json
import os
import os.path as osp
import resource
import sys
import time
from typing import Dict, List, Optional

import torch
from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook

__all__ = [
    'RunStatsHook',
    'count_parameters',
    'peak_rss_mb',
    'summarize_run_stats',
]


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


def summarize_run_stats(stats: Dict) -> Dict[str, float]:
    """One row of a run's cost: mean epoch time and samples/s over the
    epochs, the highest peak RSS / GPU memory, and the parameter counts.

    Args:
        stats (dict): The content of ``run_stats.json``.

    Returns:
        dict: ``epoch_time``, ``samples_per_s``, ``peak_rss_mb``,
        ``peak_gpu_mb``, ``params``, ``trainable_params`` where known.
    """
    epochs = stats.get('epochs', [])
    row = {k: stats[k] for k in ('params', 'trainable_params') if k in stats}
    for key in ('epoch_time', 'samples_per_s'):
        values = [e[key] for e in epochs if key in e]
        if values:
            row[key] = sum(values) / len(values)
    for key in ('peak_rss_mb', 'peak_gpu_mb'):
        values = [e[key] for e in epochs if key in e]
        if values:
            row[key] = max(values)
    return row


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

    The same record goes into every checkpoint (``meta['run_stats']``). When
    a run tests a checkpoint, the training record (from the checkpoint, else
    from the work dir's ``run_stats.json``) is logged and added to the
    ``meta`` of every VAD test dump (``meta['run_stats']``).
    ``tools/analysis/compare.py`` reads ``run_stats.json``, else the dump,
    for its cost columns.

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
        self._loaded: Optional[Dict] = None

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

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})['run_stats'] = copy.deepcopy(
            self.stats
        )

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = (checkpoint.get('meta') or {}).get('run_stats')

    def _training_stats(self, runner) -> Optional[Dict]:
        """The tested model's training record: the loaded checkpoint's, else
        the work dir's ``run_stats.json``."""
        if self._loaded and self._loaded.get('epochs'):
            return self._loaded
        path = osp.join(runner.work_dir, self.out_file)
        if osp.isfile(path):
            with open(path) as f:
                return json.load(f)
        return None

    @staticmethod
    def _dump_files(runner) -> List[str]:
        """The VAD dumps the test evaluator has written."""
        evaluator = getattr(runner.test_loop, 'evaluator', None)
        paths = []
        for metric in getattr(evaluator, 'metrics', []):
            path = getattr(metric, 'dump_file', None)
            if path:
                path = path if path.endswith('.npz') else path + '.npz'
                if osp.isfile(path):
                    paths.append(path)
        return paths

    def after_test_epoch(self, runner, metrics=None) -> None:
        stats = self._training_stats(runner)
        if not stats:
            return
        summary = summarize_run_stats(stats)
        runner.logger.info(
            'training run stats of the tested model: '
            + ', '.join(f'{k}={v}' for k, v in summary.items())
        )
        if not is_main_process():
            return
        from fgclip_mm.evaluation.functional import update_vad_dump_meta

        for path in self._dump_files(runner):
            update_vad_dump_meta(path, dict(run_stats=stats))
