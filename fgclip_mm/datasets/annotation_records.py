"""Annotation entries -> the plain sample dicts of the datasets.

:class:`RecordBuilder` turns the entries of an FG-CLIP JSON file or the lines
of a UCF-format test file into one dict per video (keys in
``docs/interfaces.md``), with the class, captions and local video path
resolved. It never opens a video, and can be used without a dataset object.
"""
import logging
from collections import Counter
from typing import List, Optional, Tuple

import numpy as np
from mmengine.logging import print_log

from ..annotations import (AnnotationError, class_text, load_json_entries,
                           parse_ucf_test_annotations, validate_fgclip_entry,
                           video_stem)
from .class_resolver import ClassResolver
from .video_paths import VideoPathResolver

__all__ = ['RecordBuilder', 'json_intervals', 'check_anomaly_has_intervals']


def json_intervals(entry: dict, where: str) -> np.ndarray:
    """``anomaly_intervals`` of a test-mode JSON entry as int64 ``(K, 2)``
    (``[[start, end), ...]``, ``0 <= start < end``; null/absent = none)."""
    value = entry.get('anomaly_intervals')
    if value is None:
        return np.zeros((0, 2), dtype=np.int64)
    ok = isinstance(value, list) and all(
        isinstance(iv, (list, tuple)) and len(iv) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in iv)
        and 0 <= iv[0] < iv[1] for iv in value)
    if not ok:
        raise AnnotationError(
            f"{where}: field 'anomaly_intervals' must be a list of "
            f'[start, end] integer frame pairs with 0 <= start < end, got '
            f'{value!r}')
    return np.asarray(value, dtype=np.int64).reshape(-1, 2)


def check_anomaly_has_intervals(class_name: str, is_anomaly: bool,
                                intervals: np.ndarray, where: str,
                                field: str) -> None:
    """An anomalous test video without intervals would get all-normal frame
    labels: an error, not a silent wrong ground truth."""
    if is_anomaly and intervals.size == 0:
        raise AnnotationError(
            f'{where}: class {class_name!r} is anomalous but {field} gives no '
            'anomaly interval; every frame would be labelled normal (annotate '
            'its intervals, or give it the normal class)')


def _test_total_frames(entry: dict, where: str) -> Optional[int]:
    total = entry.get('total_frames')
    if total is not None and (isinstance(total, bool)
                              or not isinstance(total, int) or total <= 0):
        raise AnnotationError(
            f"{where}: field 'total_frames' must be a positive integer or "
            f'null, got {total!r}')
    return total


class RecordBuilder:
    """Builds the per-video records of :class:`TimestampSegmentDataset`.

    Args:
        classes (ClassResolver): Class lookup.
        paths (VideoPathResolver): Local video paths.
        caption_template (str, optional): Global caption of entries without
            one, formatted with ``class_name`` and ``class_text``. Defaults to
            None.
        region_caption_template (str, optional): Region caption of normal
            entries without one (the caption of their virtual box). Defaults
            to None (the global caption).
        box_tolerance (float): See
            :func:`~fgclip_mm.annotations.validate_fgclip_entry`. Defaults to
            0.01.
    """

    def __init__(self,
                 classes: ClassResolver,
                 paths: VideoPathResolver,
                 caption_template: Optional[str] = None,
                 region_caption_template: Optional[str] = None,
                 box_tolerance: float = 0.01) -> None:
        self.classes = classes
        self.paths = paths
        self.caption_template = caption_template
        self.region_caption_template = region_caption_template
        self.box_tolerance = box_tolerance
        self.stats: Counter = Counter()

    def captions(self, entry: dict, label: int) -> Tuple[str, List[str]]:
        """Global caption and region captions of an entry (templates fill in
        what it lacks; a normal entry gets one caption for its virtual
        box)."""
        cls = self.classes.classes[label]
        fmt = dict(class_name=cls, class_text=class_text(cls))
        caption = entry.get('global_caption')
        if caption is None:
            caption = self.caption_template.format(**fmt) \
                if self.caption_template else ''
        region_captions = list(entry.get('region_captions') or [])
        if not region_captions and label == 0:
            template = self.region_caption_template
            region_captions = [template.format(**fmt) if template else caption]
        return caption, region_captions

    def _record(self, entry: dict, label: int, filename: str,
                index: int) -> dict:
        caption, region_captions = self.captions(entry, label)
        box_infos = entry['box_infos']
        if label == 0 and len(region_captions) > len(box_infos):
            box_infos = box_infos + [[]] * (
                len(region_captions) - len(box_infos))
        self.stats['num_anomaly_format'] += entry['timestamps'] is None
        self.stats['num_regions_without_keyframes'] += sum(
            not r for r in box_infos)
        return dict(
            filename=filename,
            video_id=video_stem(entry['video']),
            label=label,
            class_name=self.classes.classes[label],
            is_anomaly=label != 0,
            global_caption=caption,
            region_captions=region_captions,
            short_caption=entry.get('short_caption'),
            box_infos=box_infos,
            timestamps=entry['timestamps'],
            ann_index=index)

    def _json_record(self, raw, index: int, ann_file: str,
                     test_mode: bool) -> Tuple[Optional[dict], str]:
        name = raw.get('video') if isinstance(raw, dict) else None
        where = f'{ann_file}: entry {index}' + (
            f' ({name})' if isinstance(name, str) else '')
        entry, clamped = validate_fgclip_entry(
            raw,
            where,
            require_global_caption=self.caption_template is None
            and not test_mode,
            box_tolerance=self.box_tolerance)
        self.stats['num_clamped_boxes'] += clamped
        label = self.classes.of_entry(entry, where)
        filename = self.paths.resolve(entry['video'], where)
        if filename is None:
            return None, where
        record = self._record(entry, label, filename, index)
        if test_mode:
            intervals = json_intervals(entry, where)
            check_anomaly_has_intervals(record['class_name'],
                                        record['is_anomaly'], intervals,
                                        where, "field 'anomaly_intervals'")
            record.update(
                anomaly_intervals=intervals,
                total_frames=_test_total_frames(entry, where))
        return record, where

    def from_json(self, ann_file: str, test_mode: bool = False) -> List[dict]:
        """Records of an FG-CLIP JSON file (``.json`` / ``.json.gz``).

        Entries whose video is missing are dropped under the path resolver's
        ``missing='skip'`` and logged; counts go to :attr:`stats`.
        """
        entries = load_json_entries(ann_file)
        records, skipped = [], []
        for i, raw in enumerate(entries):
            record, where = self._json_record(raw, i, ann_file, test_mode)
            if record is None:
                skipped.append(where)
            else:
                records.append(record)
        if skipped:
            print_log(
                f'skipped {len(skipped)} entries whose video is missing '
                "(missing_videos='skip'): " + '; '.join(skipped[:10]) +
                (' ...' if len(skipped) > 10 else ''),
                logger='current',
                level=logging.WARNING)
        self.stats['num_missing_videos_skipped'] = len(skipped)
        self.stats['num_normal_format'] = \
            len(records) - self.stats['num_anomaly_format']
        return records

    def _text_label(self, class_name: str, where: str) -> int:
        label = self.classes.index_or_normal(class_name)
        if label is None:
            raise AnnotationError(
                f'{where}: class {class_name!r} is not one of '
                f'{self.classes.classes} (set metainfo or class_aliases)')
        return label

    def from_text(self, ann_file: str) -> List[dict]:
        """Records of a UCF-format test annotation file (``name class s1 e1
        s2 e2 [num_frames]``)."""
        records = []
        for rec in parse_ucf_test_annotations(ann_file):
            where = f"{ann_file}: line {rec['line']} ({rec['name']})"
            label = self._text_label(rec['class_name'], where)
            class_name = self.classes.classes[label]
            check_anomaly_has_intervals(class_name, label != 0,
                                        rec['anomaly_intervals'], where,
                                        'the line')
            records.append(
                dict(
                    filename=self.paths.resolve(rec['name'], where),
                    video_id=rec['video_id'],
                    label=label,
                    class_name=class_name,
                    is_anomaly=label != 0,
                    global_caption=self.captions({}, label)[0],
                    region_captions=[],
                    short_caption=None,
                    box_infos=[],
                    timestamps=None,
                    ann_index=rec['line'],
                    anomaly_intervals=rec['anomaly_intervals'],
                    total_frames=rec['total_frames']))
        return records
