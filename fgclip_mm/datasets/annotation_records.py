"""Annotation entries -> the plain sample dicts of the datasets.

:class:`RecordBuilder` turns the entries of an FG-CLIP JSON file or the lines
of a UCF-format test file into one dict per video (keys in
``docs/interfaces.md``), with the class, captions and local video path
resolved. It never opens a video, and can be used without a dataset object.

Training files may keep going past invalid entries
(``invalid_entries='skip'`` or ``'repair'``): each one left out or repaired
is listed in :attr:`RecordBuilder.issues` with its reason code.
"""

import logging
from collections import Counter
from typing import List, Optional, Tuple

from mmengine.logging import print_log

from ..annotations import (
    DUPLICATE_ENTRY_POLICIES,
    AnnotationError,
    class_text,
    load_json_entries,
    parse_ucf_test_annotations,
    repair_count_mismatch,
    repeated_entry,
    validate_fgclip_entry,
    video_stem,
)
from .class_resolver import ClassResolver
from .entry_report import summarize_issues
from .test_clips import (
    check_anomaly_has_intervals,
    checked_total_frames,
    json_intervals,
)
from .video_paths import VideoPathResolver, match_prefix, normalize_video_path

__all__ = ['RecordBuilder', 'INVALID_ENTRY_POLICIES']

#: What a training entry that fails validation does: an error (naming it),
#: a skip, or a repair of the one mechanical defect (more box tracks than
#: region captions or the reverse) and a skip of the rest.
INVALID_ENTRY_POLICIES = ('error', 'skip', 'repair')

#: Reasons that are never skipped: the configuration or the files are wrong,
#: not the entry (missing videos have their own policy, ``missing_videos``).
_NEVER_SKIPPED = (
    'bad_file',
    'unmapped_prefix',
    'video_not_found',
    'ambiguous_video',
)


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
        invalid_entries (str): What a training entry that fails validation
            does: ``'error'`` (default), ``'skip'`` (left out, listed in
            :attr:`issues`, counted in :attr:`stats`) or ``'repair'`` (more
            box tracks than region captions or the reverse: both cut to the
            common prefix and listed as repaired; other invalid entries
            skipped). Unmapped prefixes and missing videos are never skipped
            here; test mode refuses anything but ``'error'``.
        duplicate_entries (str): A training entry identical to an earlier
            one: ``'warn'`` (default: kept, counted and listed in
            :attr:`duplicates`), ``'skip'`` (left out as
            ``'duplicate_entry'`` in :attr:`issues`) or ``'error'``. In test
            mode a video in two entries is always an error.

    Attributes:
        stats (Counter): Counts for the dataset's summary.
        issues (list[dict]): Per skipped or repaired entry ``index``,
            ``video``, ``reason`` (a code of
            :data:`~fgclip_mm.annotations.REASON_CODES`), ``action``
            (``'skipped'``/``'repaired'``) and ``message``.
        class_counts (Counter): Kept entries by ``(source, class_name)``.
        duplicates (list[str]): Entries kept under ``'warn'`` that repeat
            an earlier one.
    """

    def __init__(
        self,
        classes: ClassResolver,
        paths: VideoPathResolver,
        caption_template: Optional[str] = None,
        region_caption_template: Optional[str] = None,
        box_tolerance: float = 0.01,
        invalid_entries: str = 'error',
        duplicate_entries: str = 'warn',
    ) -> None:
        if invalid_entries not in INVALID_ENTRY_POLICIES:
            raise ValueError(
                f'invalid_entries must be one of '
                f'{INVALID_ENTRY_POLICIES}, got '
                f'{invalid_entries!r}'
            )
        if duplicate_entries not in DUPLICATE_ENTRY_POLICIES:
            raise ValueError(
                f'duplicate_entries must be one of {DUPLICATE_ENTRY_POLICIES}'
                f', got {duplicate_entries!r}'
            )
        self.classes = classes
        self.paths = paths
        self.caption_template = caption_template
        self.region_caption_template = region_caption_template
        self.box_tolerance = box_tolerance
        self.invalid_entries = invalid_entries
        self.duplicate_entries = duplicate_entries
        self.stats: Counter = Counter()
        self.issues: List[dict] = []
        self.class_counts: Counter = Counter()
        self.duplicates: List[str] = []

    def captions(self, entry: dict, label: int) -> Tuple[str, List[str]]:
        """Global caption and region captions of an entry (templates fill in
        what it lacks; a normal entry gets one caption for its virtual
        box)."""
        cls = self.classes.classes[label]
        fmt = dict(class_name=cls, class_text=class_text(cls))
        caption = entry.get('global_caption')
        template = self.caption_template
        if caption is None:
            caption = template.format(**fmt) if template else ''
        region_captions = list(entry.get('region_captions') or [])
        if not region_captions and label == 0:
            template = self.region_caption_template
            region_captions = [template.format(**fmt) if template else caption]
        return caption, region_captions

    def source_of(self, video: str) -> str:
        """Source of a video for the counts: its class source, else the
        ``path_map`` prefix it matches (``'(default)'`` for ``''``)."""
        source = self.classes.source_of(video)
        if source is None:
            prefix = match_prefix(
                normalize_video_path(video), self.paths.path_map
            )
            source = prefix or '(default)'
        return source

    def _record(
        self, entry: dict, label: int, filename: str, index: int
    ) -> dict:
        caption, region_captions = self.captions(entry, label)
        box_infos = entry['box_infos']
        if label == 0 and len(region_captions) > len(box_infos):
            box_infos = box_infos + [[]] * (
                len(region_captions) - len(box_infos)
            )
        self.stats['num_anomaly_format'] += entry['timestamps'] is None
        self.stats['num_regions_without_keyframes'] += sum(
            not r for r in box_infos
        )
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
            ann_index=index,
        )

    def _validate(
        self, raw, where: str, test_mode: bool
    ) -> Tuple[dict, int, Optional[str]]:
        """:func:`validate_fgclip_entry`, repairing a count mismatch under
        ``'repair'``. Returns the entry, its clamped boxes and the repair
        message (None if not repaired)."""
        kwargs = dict(
            require_global_caption=self.caption_template is None
            and not test_mode,
            box_tolerance=self.box_tolerance,
        )
        try:
            entry, clamped = validate_fgclip_entry(raw, where, **kwargs)
            return entry, clamped, None
        except AnnotationError as e:
            fixed = (
                repair_count_mismatch(raw)
                if (
                    e.code == 'count_mismatch'
                    and self.invalid_entries == 'repair'
                )
                else None
            )
            if fixed is None:
                raise
        entry, clamped = validate_fgclip_entry(fixed, where, **kwargs)
        n = len(fixed['box_infos'])
        return (
            entry,
            clamped,
            (
                f'{where}: kept the first {n} of {len(raw["box_infos"])} box '
                f'tracks and of {len(raw["region_captions"])} region captions'
            ),
        )

    def _json_record(
        self, raw, index: int, ann_file: str, test_mode: bool
    ) -> Tuple[Optional[dict], str]:
        name = raw.get('video') if isinstance(raw, dict) else None
        where = f'{ann_file}: entry {index}' + (
            f' ({name})' if isinstance(name, str) else ''
        )
        entry, clamped, repaired = self._validate(raw, where, test_mode)
        # an unmapped prefix (a configuration error) before the entry's class
        self.paths.map_path(entry['video'], where)
        label = self.classes.of_entry(entry, where)
        filename = self.paths.resolve(entry['video'], where)
        if filename is None:
            return None, where
        record = self._record(entry, label, filename, index)
        if test_mode:
            intervals = json_intervals(entry, where)
            check_anomaly_has_intervals(
                record['class_name'],
                record['is_anomaly'],
                intervals,
                where,
                "field 'anomaly_intervals'",
            )
            record.update(
                anomaly_intervals=intervals,
                total_frames=checked_total_frames(entry, where),
            )
        self.stats['num_clamped_boxes'] += clamped
        if repaired:
            self._note(index, raw, 'count_mismatch', 'repaired', repaired)
        self.class_counts[
            (self.source_of(entry['video']), record['class_name'])
        ] += 1
        return record, where

    def _note(
        self, index: int, raw, reason: str, action: str, message: str
    ) -> None:
        video = raw.get('video') if isinstance(raw, dict) else None
        self.issues.append(
            dict(
                index=index,
                video=video if isinstance(video, str) else '',
                reason=reason,
                action=action,
                message=message,
            )
        )

    def _duplicate(self, raw, i: int, ann: str, seen: dict, test: bool):
        """Whether ``raw`` repeats an earlier entry and is skipped (see
        ``duplicate_entries``; a test video in two entries is an error)."""
        error = repeated_entry(raw, i, ann, seen, test)
        if error is None:
            return False
        if test or self.duplicate_entries == 'error':
            raise error
        if self.duplicate_entries == 'warn':
            self.duplicates.append(str(error))
            return False
        self._note(i, raw, error.code, 'skipped', str(error))
        return True

    def _skippable(self, error: AnnotationError) -> bool:
        policy, code = self.invalid_entries, error.code
        return policy != 'error' and code not in _NEVER_SKIPPED

    def from_json(self, ann_file: str, test_mode: bool = False) -> List[dict]:
        """Records of an FG-CLIP JSON file (``.json`` / ``.json.gz``).

        Entries whose video is missing are dropped under the path resolver's
        ``missing='skip'`` and logged; invalid entries are skipped or
        repaired under ``invalid_entries``; counts go to :attr:`stats`.
        """
        if test_mode and self.invalid_entries != 'error':
            raise ValueError(
                f'invalid_entries={self.invalid_entries!r} is refused in '
                'test mode: a test set is scored whole or not at all'
            )
        entries = load_json_entries(ann_file)
        records, skipped, seen = [], [], {}
        for i, raw in enumerate(entries):
            if self._duplicate(raw, i, ann_file, seen, test_mode):
                continue
            try:
                record, where = self._json_record(raw, i, ann_file, test_mode)
            except AnnotationError as e:
                if not self._skippable(e):
                    raise
                self._note(i, raw, e.code or 'invalid', 'skipped', str(e))
                continue
            if record is None:
                skipped.append(where)
            else:
                records.append(record)
        self._log(ann_file, skipped)
        self.stats['num_missing_videos_skipped'] = len(skipped)
        self.stats['num_normal_format'] = (
            len(records) - self.stats['num_anomaly_format']
        )
        return records

    def _log(self, ann_file: str, missing: List[str]) -> None:
        """Warn about missing videos and invalid entries; count them."""
        if missing:
            print_log(
                f'skipped {len(missing)} entries whose video is missing '
                "(missing_videos='skip'): "
                + '; '.join(missing[:10])
                + (' ...' if len(missing) > 10 else ''),
                logger='current',
                level=logging.WARNING,
            )
        if self.duplicates:
            self.stats['num_duplicate_entries'] = len(self.duplicates)
            print_log(
                f'{len(self.duplicates)} entries count twice '
                "(duplicate_entries='skip' drops them): "
                + '; '.join(self.duplicates[:5]),
                logger='current',
                level=logging.WARNING,
            )
        summary = summarize_issues(self.issues)
        self.stats['num_invalid_skipped'] = summary['num_skipped']
        self.stats['num_repaired'] = summary['num_repaired']
        if summary['skipped_by_reason']:
            self.stats['invalid_by_reason'] = summary['skipped_by_reason']
        if self.issues:
            print_log(
                f'{ann_file}: invalid_entries={self.invalid_entries!r}: '
                + summary['text'],
                logger='current',
                level=logging.WARNING,
            )

    def _text_label(self, class_name: str, where: str) -> int:
        label = self.classes.index_or_normal(class_name)
        if label is None:
            raise AnnotationError(
                f'{where}: class {class_name!r} is not one of '
                f'{self.classes.classes} (set metainfo or class_aliases)',
                code='unknown_class',
            )
        return label

    def from_text(self, ann_file: str) -> List[dict]:
        """Records of a UCF-format test annotation file (``name class s1 e1
        s2 e2 [num_frames]``)."""
        records = []
        for rec in parse_ucf_test_annotations(ann_file):
            where = f'{ann_file}: line {rec["line"]} ({rec["name"]})'
            label = self._text_label(rec['class_name'], where)
            class_name = self.classes.classes[label]
            check_anomaly_has_intervals(
                class_name,
                label != 0,
                rec['anomaly_intervals'],
                where,
                'the line',
            )
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
                    total_frames=rec['total_frames'],
                )
            )
        return records
