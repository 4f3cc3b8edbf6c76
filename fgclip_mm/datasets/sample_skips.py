"""Samples whose video cannot be read: substituted and counted in training,
an error naming them in testing.

mmengine's :class:`~mmengine.dataset.BaseDataset` draws another sample when
the pipeline returns None (``on_error='skip'``), but forgets the one it
dropped, and in test mode raises an error that names nothing. The
:class:`SkipAccountingMixin` keeps both promises of the skip options: a
skipped sample is *counted*, and the count travels with the data — the
substitute's data sample carries the dropped samples in its metainfo
(``skipped_samples``), so it reaches the main process from DataLoader
workers and every rank, where
:class:`~fgclip_mm.engine.hooks.SkippedSamplesHook` sums and reports it.
"""

import logging
from typing import Any, Dict, List

from mmengine.logging import print_log

from .video_io import VideoReadError

__all__ = ['SkipAccountingMixin', 'skip_record', 'SKIPPED_KEY']

#: Metainfo key of the data sample that stands in for skipped samples.
SKIPPED_KEY = 'skipped_samples'

_MAX_REASON = 300


def skip_record(info: Dict) -> Dict:
    """What the report keeps of a skipped sample: ``video_id``,
    ``ann_index``, ``filename`` and ``reason`` (the transform's message,
    ``results['skip_reason']`` without the sample's name; its start and end
    when longer than 300 characters)."""
    reason = str(info.get('skip_reason') or 'the pipeline returned None')
    name = f'{info.get("sample_name")}: '
    if reason.startswith(name):
        reason = reason[len(name) :]
    if len(reason) > _MAX_REASON:
        reason = reason[:200] + ' ... ' + reason[-(_MAX_REASON - 205) :]
    return dict(
        video_id=info.get('video_id'),
        ann_index=info.get('ann_index'),
        filename=info.get('filename'),
        reason=reason,
    )


def _attach(data: Any, skipped: List[Dict]) -> None:
    """Put ``skipped`` into the metainfo of ``data['data_samples']``."""
    sample = data.get('data_samples') if isinstance(data, dict) else None
    if hasattr(sample, 'set_metainfo'):
        sample.set_metainfo({SKIPPED_KEY: list(skipped)})
        return
    print_log(
        f'{len(skipped)} skipped sample(s) cannot be reported: the pipeline '
        'output has no data sample to carry them',
        logger='current',
        level=logging.WARNING,
    )


class SkipAccountingMixin:
    """Skip accounting for a :class:`~mmengine.dataset.BaseDataset`.

    Put it first in the bases. It adds ``test_mode`` to every sample (the
    loading transforms refuse to skip test samples) and ``sample_name``
    (the dataset's ``_where(info)``, e.g. ``'ann.json: entry 3
    (Abuse001_x264)'``, which errors use to name the annotation file and
    entry), and replaces ``__getitem__``:

    - **training**: when the pipeline returns None, another sample is drawn
      (mmengine's ``_rand_another``, at most ``max_refetch`` times); the
      sample returned keeps its own label and carries a record of every
      sample dropped on the way (:func:`skip_record`) in its data sample's
      metainfo under :data:`SKIPPED_KEY`. When every draw fails, the error
      names the samples that failed.
    - **testing**: a None from the pipeline is a :class:`VideoReadError`
      naming the sample (never a silent hole in a test set).
    """

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        info['test_mode'] = self.test_mode
        where = getattr(self, '_where', None)
        if where is not None and 'video_id' in info and 'ann_index' in info:
            info['sample_name'] = where(info)
        return info

    def __getitem__(self, idx: int) -> Any:
        if not self._fully_initialized:
            self.full_init()
        skipped: List[Dict] = []
        for _ in range(1 if self.test_mode else self.max_refetch + 1):
            info = self.get_data_info(idx)
            data = self.pipeline(info)
            if data is not None:
                if skipped:
                    _attach(data, skipped)
                return data
            if self.test_mode:
                name = info.get('sample_name') or info.get('video_id')
                raise VideoReadError(
                    f'{name}: {info.get("filename")}: the '
                    'test pipeline returned no sample '
                    f'({info.get("skip_reason") or "a transform gave None"});'
                    ' test samples are never skipped'
                )
            skipped.append(skip_record(info))
            idx = self._rand_another()
        names = '; '.join(
            f'{r["video_id"]} (entry {r["ann_index"]}): {r["reason"]}'
            for r in skipped[-3:]
        )
        raise VideoReadError(
            f'{len(skipped)} samples in a row could not be loaded '
            f'(max_refetch={self.max_refetch}); the last ones: {names}'
        )
