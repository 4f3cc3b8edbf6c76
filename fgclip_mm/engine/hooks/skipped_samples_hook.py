"""Count and report the training samples skipped because their video could
not be read (``on_error='skip'``), per epoch and for the run."""

import json
import logging
import os
import os.path as osp
from collections import Counter
from typing import Dict, Iterable, List, Optional

from mmaction.registry import HOOKS
from mmengine.dist import all_gather_object, is_main_process
from mmengine.hooks import Hook

from ...datasets.sample_skips import SKIPPED_KEY

__all__ = ['SkippedSamplesHook', 'collect_skipped', 'summarize_skipped']

#: Load-time counters of the dataset ``summary`` that the report repeats.
LOAD_TIME_KEYS = (
    'num_missing_videos_skipped',
    'num_invalid_skipped',
    'num_repaired',
)


def collect_skipped(data_batch) -> List[Dict]:
    """The skip records carried by a batch's data samples (see
    :class:`~fgclip_mm.datasets.sample_skips.SkipAccountingMixin`)."""
    samples = data_batch.get('data_samples') if data_batch else None
    records: List[Dict] = []
    for sample in samples or []:
        metainfo = getattr(sample, 'metainfo', {})
        records.extend(metainfo.get(SKIPPED_KEY) or [])
    return records


def summarize_skipped(records: List[Dict], max_listed: int = 10) -> Dict:
    """Counts of skip records and one line of text.

    Args:
        records (list[dict]): Skip records (``video_id``, ``ann_index``,
            ``filename``, ``reason``) of all ranks.
        max_listed (int): Videos named in the text. Defaults to 10.

    Returns:
        dict: ``num_skipped`` (skip events), ``num_videos`` (distinct
        videos), ``videos`` (``'video_id (entry N)'`` -> times skipped, most
        frequent first) and ``text`` (naming each video's first reason).
    """
    keys = [f'{r["video_id"]} (entry {r["ann_index"]})' for r in records]
    counts = Counter(keys)
    reasons: Dict[str, str] = {}
    for key, rec in zip(keys, records):
        reasons.setdefault(key, rec['reason'])
    text = f'{len(records)} sample(s) skipped ({len(counts)} video(s))'
    listed = [
        f'{key} x{n}: {reasons[key]}'
        for key, n in counts.most_common(max_listed)
    ]
    if listed:
        text += ': ' + '; '.join(listed)
        text += ' ...' if len(counts) > max_listed else ''
    return dict(
        num_skipped=len(records),
        num_videos=len(counts),
        videos=dict(counts.most_common()),
        text=text,
    )


def _datasets(dataset) -> Iterable:
    """``dataset`` and the datasets wrapped inside it (RepeatDataset,
    ConcatDataset, ...)."""
    yield dataset
    inner = getattr(dataset, 'dataset', None)
    if inner is not None:
        yield from _datasets(inner)
    for inner in getattr(dataset, 'datasets', None) or []:
        yield from _datasets(inner)


@HOOKS.register_module()
class SkippedSamplesHook(Hook):
    """Report the training samples skipped because their video could not be
    read, at the end of every epoch and of the run.

    A training pipeline with ``on_error='skip'`` drops an unreadable sample
    and the dataset draws another, which carries a record of the dropped one
    in its metainfo; this hook collects those records from every batch,
    gathers them from all ranks at the end of the epoch (their sum is the
    count), logs a summary naming the videos and why they failed, adds
    ``train/skipped_samples`` to the message hub and rewrites
    ``<work_dir>/skipped_samples.json``::

        {"load_time": {"num_missing_videos_skipped": 0, ...},
         "epochs": [{"epoch": 1, "num_skipped": 2, "num_videos": 1,
                     "videos": {"Abuse001_x264 (entry 3)": 2},
                     "records": [{"video_id": ..., "ann_index": ...,
                                  "filename": ..., "reason": ...}, ...]},
                    ...],
         "total": {"num_skipped": 2, "num_videos": 1, "videos": {...}}}

    ``load_time`` repeats the entries the dataset left out when loading
    (``missing_videos='skip'``, ``invalid_entries``). A resumed run keeps
    the epochs already reported. Nothing is written by ranks other than 0.

    Args:
        out_file (str): File name inside the work dir. Defaults to
            ``'skipped_samples.json'``.
        max_listed (int): Videos named in a log line. Defaults to 10.
    """

    priority = 'LOW'

    def __init__(
        self, out_file: str = 'skipped_samples.json', max_listed: int = 10
    ) -> None:
        self.out_file = out_file
        self.max_listed = max_listed
        self._epoch: List[Dict] = []
        self._run: List[Dict] = []
        self.report: Dict = dict(load_time={}, epochs=[], total={})

    def _path(self, runner) -> str:
        return osp.join(runner.work_dir, self.out_file)

    def _load_time(self, runner) -> Dict:
        loader = getattr(runner, 'train_dataloader', None)
        counts: Counter = Counter()
        for ds in _datasets(getattr(loader, 'dataset', None)):
            summary = getattr(ds, 'summary', None) or {}
            counts.update({k: summary.get(k, 0) for k in LOAD_TIME_KEYS})
        return dict(counts)

    def before_train(self, runner) -> None:
        self.report['load_time'] = self._load_time(runner)
        path = self._path(runner)
        if osp.isfile(path):  # resumed: keep the epochs already reported
            with open(path) as f:
                previous = json.load(f)
            self.report['epochs'] = [
                e
                for e in previous.get('epochs', [])
                if e['epoch'] <= runner.epoch
            ]
            for e in self.report['epochs']:
                self._run.extend(e.get('records', []))

    def before_train_epoch(self, runner) -> None:
        self._epoch = []

    def before_train_iter(
        self, runner, batch_idx: int, data_batch: Optional[dict] = None
    ) -> None:
        self._epoch.extend(collect_skipped(data_batch))

    def after_train_epoch(self, runner) -> None:
        records = [r for part in all_gather_object(self._epoch) for r in part]
        self._run.extend(records)
        summary = summarize_skipped(records, self.max_listed)
        text = summary.pop('text')
        self.report['epochs'].append(
            dict(epoch=runner.epoch + 1, **summary, records=records)
        )
        runner.message_hub.update_scalar(
            'train/skipped_samples', summary['num_skipped']
        )
        level = logging.WARNING if records else logging.INFO
        runner.logger.log(
            level, f'skipped samples in epoch {runner.epoch + 1}: {text}'
        )
        self._write(runner)

    def after_train(self, runner) -> None:
        text = summarize_skipped(self._run, self.max_listed)['text']
        load = ', '.join(
            f'{k}={v}' for k, v in self.report['load_time'].items()
        )
        level = logging.WARNING if self._run else logging.INFO
        runner.logger.log(
            level,
            f'skipped samples in the run: {text}'
            + (f'; left out at load time: {load}' if load else ''),
        )

    def _write(self, runner) -> None:
        summary = summarize_skipped(self._run, self.max_listed)
        summary.pop('text')
        self.report['total'] = summary
        if not is_main_process():
            return
        path = self._path(runner)
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.report, f, indent=1)
        os.replace(tmp, path)
