"""The dataset of FG-CLIP VAD: captioned videos with keyframe boxes and
timestamps for training, and whole videos cut into covering clips for
testing."""
import logging
import os
import os.path as osp
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Set, Union

import numpy as np
from mmengine.logging import print_log
from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS

from ..evaluation.functional.annotations import read_lengths
from .annotations import (AnnotationError, class_text, cover_video_with_clips,
                          load_json_entries, load_video_names,
                          parse_ucf_test_annotations, validate_fgclip_entry,
                          video_stem)
from .video_io import VideoReadError, get_num_frames

#: UCF-Crime's classes; index 0 is the normal class.
UCF_CRIME_CLASSES = ('Normal', 'Abuse', 'Arrest', 'Arson', 'Assault',
                     'Burglary', 'Explosion', 'Fighting', 'RoadAccidents',
                     'Robbery', 'Shooting', 'Shoplifting', 'Stealing',
                     'Vandalism')


@DATASETS.register_module()
class TimestampSegmentDataset(BaseActionDataset):
    """Videos annotated with captions, keyframe boxes and timestamps.

    **Training** (``test_mode=False``) reads the original FG-CLIP VAD project's
    JSON list (``.json`` or ``.json.gz``), one sample per entry::

        {"video": "UCF_Crimes/Videos/Abuse/Abuse001_x264.mp4",
         "global_caption": "...", "region_captions": ["...", ...],
         "box_infos": [[{"frame": 192, "bbox": [x1, y1, x2, y2]}, ...], ...],
         "timestamps": null}           # or [start_s, end_s] for normal videos

    Optional fields: ``short_caption``; an explicit class (``label_field``, a
    class name or index); ``region_captions``/``box_infos``/``global_caption``
    may be absent for datasets with video-level labels only (XD-Violence,
    ShanghaiTech), whose captions then come from ``caption_template``.

    **Testing** (``test_mode=True``) reads a UCF-Crime-format text file
    (``name class s1 e1 s2 e2 [num_frames]``) or the same JSON (fields
    ``anomaly_intervals``, required for anomalous entries, and optional
    ``total_frames``) and expands every video into
    clips that together cover all its frames (see
    :func:`~fgclip_mm.datasets.annotations.cover_video_with_clips`), one sample
    per clip, so that a metric can score every frame.

    The dataset never decodes video; each sample is a plain dict (keys in
    ``docs/interfaces.md``): ``filename``, ``video_id``, ``label``,
    ``class_name``, ``is_anomaly``, ``global_caption``, ``region_captions``,
    ``short_caption``, ``box_infos`` (clamped to ``[0, 1]``, keyframes sorted),
    ``timestamps``, ``ann_index`` (entry index or line number in ``ann_file``);
    in test mode also ``total_frames``, ``frame_inds``, ``anomaly_intervals``
    (np.int64 ``(K, 2)``, half-open), ``clip_index`` and ``num_clips``.

    An entry is in the *anomaly format* when its ``timestamps`` is null and in
    the *normal format* otherwise; its class (hence ``label`` and
    ``is_anomaly``) comes from ``label_field`` or from the folder names in its
    path. The two differ for a few entries of the original file (normal videos
    with null timestamps); :attr:`summary` reports both counts.

    Args:
        ann_file (str): Annotation file (JSON list, or UCF text format in test
            mode).
        pipeline (list[dict | callable]): Transforms.
        data_prefix (dict): ``dict(video=DIR)``: directory the ``video`` paths
            are relative to. Defaults to ``dict(video='')``.
        strip_prefix (str, optional): Leading part of the annotation's video
            paths to remove before joining ``data_prefix['video']`` (e.g.
            ``'UCF_Crimes_Videos/UCF_Crimes/Videos/'``). Defaults to None.
        exclude_file (str | list[str], optional): File(s) naming videos to
            leave out, matched on the file stem: one name per line, a
            UCF-format test annotation, a CSV with the name first, or a JSON
            list. Relative paths are looked up under ``data_root`` first.
            Defaults to None.
        exclude_names (list[str], optional): Video names or stems to leave out.
            Defaults to None.
        label_source (str): ``'path'`` (class from the nearest folder of the
            video path that names a class or an alias; folders containing
            "normal" map to class 0), ``'field'`` (from ``label_field``) or
            ``'auto'`` (the field when the entry has it, else the path).
            Defaults to ``'auto'``.
        label_field (str): Entry field holding a class name or index. Defaults
            to ``'label'``.
        class_aliases (dict[str, str], optional): Folder or annotation class
            names mapped to a class of ``metainfo['classes']``. Defaults to
            None.
        caption_template (str, optional): Global caption for entries without
            one, formatted with ``class_name`` and ``class_text`` (e.g.
            ``'A surveillance video of {class_text}.'``). Defaults to None
            (``global_caption`` required in training).
        region_caption_template (str, optional): Region caption of normal
            entries without region captions (the caption of their virtual box).
            Defaults to None (the global caption is used).
        box_tolerance (float): Box coordinates outside ``[0, 1]`` by at most
            this much are clamped (counted in :attr:`summary`); larger is an
            error. Defaults to 0.01.
        check_files (bool): Check at load time that every video exists (a video
            not at its path is looked up by file name under
            ``data_prefix['video']``). Defaults to True.
        missing_videos (str): What a training entry whose video cannot be
            found does: ``'error'`` (naming the entry) or ``'skip'`` (dropped,
            logged as a warning with the entries, counted in :attr:`summary`).
            Test sets must be complete, so ``'skip'`` is refused in test mode.
            Defaults to ``'error'``.
        clip_len (int): Test mode: frames per clip. Defaults to 16.
        frame_interval (int): Test mode: gap between a clip's frames. Defaults
            to 1.
        frame_counts_file (str, optional): Test mode: ``name count`` lines
            (or any file :func:`~fgclip_mm.evaluation.functional.read_lengths`
            reads) giving each video's frame count, for annotations without a
            count column. Videos without a known count are probed with
            ``frame_count_backend`` (cached). Relative paths are looked up
            under ``data_root`` first. Defaults to None.
        frame_count_backend (str): ``'decord'`` or ``'pyav'``. Defaults to
            ``'decord'``.
        test_mode (bool): See above. Defaults to False.
        **kwargs: Passed to :class:`mmaction.datasets.BaseActionDataset`
            (``data_root``, ``metainfo=dict(classes=(...))``, ...).
    """

    METAINFO = dict(classes=UCF_CRIME_CLASSES)

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[dict, Callable]],
                 data_prefix: dict = dict(video=''),
                 strip_prefix: Optional[str] = None,
                 exclude_file: Optional[Union[str, Sequence[str]]] = None,
                 exclude_names: Optional[Sequence[str]] = None,
                 label_source: str = 'auto',
                 label_field: str = 'label',
                 class_aliases: Optional[Dict[str, str]] = None,
                 caption_template: Optional[str] = None,
                 region_caption_template: Optional[str] = None,
                 box_tolerance: float = 0.01,
                 check_files: bool = True,
                 missing_videos: str = 'error',
                 clip_len: int = 16,
                 frame_interval: int = 1,
                 frame_counts_file: Optional[str] = None,
                 frame_count_backend: str = 'decord',
                 test_mode: bool = False,
                 **kwargs) -> None:
        if label_source not in ('auto', 'path', 'field'):
            raise ValueError("label_source must be 'auto', 'path' or 'field', "
                             f'got {label_source!r}')
        if missing_videos not in ('error', 'skip'):
            raise ValueError("missing_videos must be 'error' or 'skip', got "
                             f'{missing_videos!r}')
        if missing_videos == 'skip' and test_mode:
            raise ValueError(
                "missing_videos='skip' is refused in test mode: metrics on a "
                'subset of a test set are not comparable with published ones')
        self.missing_videos = missing_videos
        self.strip_prefix = strip_prefix
        self.exclude_file = exclude_file
        self.exclude_names = exclude_names
        self.label_source = label_source
        self.label_field = label_field
        self.class_aliases = dict(class_aliases or {})
        self.caption_template = caption_template
        self.region_caption_template = region_caption_template
        self.box_tolerance = box_tolerance
        self.check_files = check_files
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.frame_counts_file = frame_counts_file
        self.frame_count_backend = frame_count_backend
        self.summary: Dict[str, object] = {}
        self._file_index: Optional[Dict[str, List[str]]] = None
        self._text_records = False
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    # ------------------------------------------------------------------ names
    @property
    def classes(self) -> tuple:
        return tuple(self.metainfo['classes'])

    def _local_path(self, path: str) -> str:
        """A relative path that exists under ``data_root`` is taken from there
        (as ``ann_file``), otherwise as given."""
        root = getattr(self, 'data_root', None)
        if root and not osp.isabs(path) and osp.exists(osp.join(root, path)):
            return osp.join(root, path)
        return path

    def _excluded_stems(self) -> Set[str]:
        stems: Set[str] = set()
        files = self.exclude_file
        if isinstance(files, str):
            files = [files]
        for path in files or []:
            stems |= load_video_names(self._local_path(path))
        stems |= {video_stem(n) for n in self.exclude_names or []}
        return stems

    def _class_index(self, name: str) -> Optional[int]:
        classes = self.classes
        name = self.class_aliases.get(name, name)
        if name in classes:
            return classes.index(name)
        lower = [c.lower() for c in classes]
        if name.lower() in lower:
            return lower.index(name.lower())
        return None

    def _label_from_path(self, video: str) -> Optional[int]:
        folders = video.replace('\\', '/').split('/')[:-1]
        for folder in reversed(folders):
            idx = self._class_index(folder)
            if idx is not None:
                return idx
        for folder in reversed(folders):
            if 'normal' in folder.lower():
                return 0
        return None

    def _label_of(self, entry: dict, where: str) -> int:
        use_field = self.label_source == 'field' or (
            self.label_source == 'auto'
            and entry.get(self.label_field) is not None)
        if use_field:
            value = entry.get(self.label_field)
            if value is None:
                raise AnnotationError(
                    f"{where}: field '{self.label_field}' (the class) is "
                    'missing')
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise AnnotationError(
                    f"{where}: field '{self.label_field}' must be a class "
                    f'name or index, got {value!r}')
            if isinstance(value, int):
                if not 0 <= value < len(self.classes):
                    raise AnnotationError(
                        f"{where}: field '{self.label_field}' = {value} is "
                        f'not a class index (0..{len(self.classes) - 1})')
                return value
            idx = self._class_index(value)
            if idx is None:
                raise AnnotationError(
                    f"{where}: field '{self.label_field}' = {value!r} is not "
                    f'one of the classes {self.classes} (set metainfo or '
                    'class_aliases)')
            return idx
        idx = self._label_from_path(entry['video'])
        if idx is None:
            raise AnnotationError(
                f'{where}: cannot infer the class from the path '
                f"{entry['video']!r}: no folder names one of {self.classes} "
                f"(set metainfo, class_aliases or a '{self.label_field}' "
                'field)')
        return idx

    # ------------------------------------------------------------------ paths
    def _video_root(self) -> str:
        return self.data_prefix.get('video', '') or ''

    def _resolve_path(self, video: str, where: str) -> Optional[str]:
        """The video's path; None for a missing video under
        ``missing_videos='skip'``."""
        rel = video.strip().replace('\\', '/')
        if self.strip_prefix and rel.startswith(self.strip_prefix):
            rel = rel[len(self.strip_prefix):].lstrip('/')
        path = osp.join(self._video_root(), rel)
        if not self.check_files or osp.isfile(path):
            return path
        # Not where the annotation says: look the file name up under the root.
        if self._file_index is None:
            self._file_index = {}
            root = self._video_root() or '.'
            for dirpath, _, files in os.walk(root, followlinks=True):
                for name in files:
                    self._file_index.setdefault(name, []).append(
                        osp.join(dirpath, name))
        base = osp.basename(rel)
        found = self._file_index.get(base, [])
        if not found and not osp.splitext(base)[1]:
            found = [
                p for n, ps in self._file_index.items()
                if video_stem(n) == base for p in ps
            ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AnnotationError(
                f'{where}: video {video!r} is not at {path} and its file name '
                f'matches several files under {self._video_root()!r}: '
                f'{found[:3]}')
        if self.missing_videos == 'skip':
            return None
        raise AnnotationError(
            f'{where}: video file not found: {path} (also searched by file '
            f'name under {self._video_root()!r}; check data_root/data_prefix/'
            'strip_prefix, or set check_files=False)')

    # ------------------------------------------------------------------ load
    def load_data_list(self) -> List[dict]:
        """Parse ``ann_file`` into one dict per sample (per clip in test
        mode)."""
        is_text = self.ann_file.endswith(('.txt', '.txt.gz'))
        self._text_records = self.test_mode and is_text
        if self._text_records:
            records = self._load_text_records()
        else:
            if is_text:
                raise AnnotationError(
                    f'{self.ann_file}: training needs the FG-CLIP JSON format '
                    '(a UCF-format text file has no captions); text files are '
                    'read in test_mode')
            records = self._load_json_records()
        excluded = self._excluded_stems()
        kept = [r for r in records if r['video_id'] not in excluded]
        num_excluded = len(records) - len(kept)
        self.summary.update(
            num_entries=len(records),
            num_excluded=num_excluded,
            num_kept=len(kept),
            num_excluded_videos=len({r['video_id']
                                     for r in records} & excluded),
            label_counts=dict(Counter(self.classes[r['label']] for r in kept)),
            num_anomalous_label=sum(r['is_anomaly'] for r in kept),
            num_normal_label=sum(not r['is_anomaly'] for r in kept))
        if self.test_mode:
            data_list = self._expand_clips(kept)
            self.summary['num_clips'] = len(data_list)
        else:
            data_list = kept
        print_log(
            f'{type(self).__name__}: {self.ann_file}: ' +
            ', '.join(f'{k}={v}' for k, v in self.summary.items()),
            logger='current')
        return data_list

    def _captions(self, entry: dict, label: int) -> tuple:
        cls = self.classes[label]
        fmt = dict(class_name=cls, class_text=class_text(cls))
        caption = entry.get('global_caption')
        if caption is None:
            caption = self.caption_template.format(**fmt) \
                if self.caption_template else ''
        region_captions = list(entry.get('region_captions') or [])
        if not region_captions and label == 0:
            region_captions = [
                self.region_caption_template.format(
                    **fmt) if self.region_caption_template else caption
            ]
        return caption, region_captions

    def _load_json_records(self) -> List[dict]:
        entries = load_json_entries(self.ann_file)
        records = []
        n_clamped = 0
        n_anomaly_format = 0
        n_regions_without_keyframes = 0
        need_caption = self.caption_template is None and not self.test_mode
        skipped: List[str] = []
        for i, raw in enumerate(entries):
            name = raw.get('video') if isinstance(raw, dict) else None
            where = f'{self.ann_file}: entry {i}' + (
                f' ({name})' if isinstance(name, str) else '')
            entry, clamped = validate_fgclip_entry(
                raw,
                where,
                require_global_caption=need_caption,
                box_tolerance=self.box_tolerance)
            n_clamped += clamped
            label = self._label_of(entry, where)
            caption, region_captions = self._captions(entry, label)
            box_infos = entry['box_infos']
            if label == 0 and len(region_captions) > len(box_infos):
                box_infos = box_infos + [[]] * (
                    len(region_captions) - len(box_infos))
            filename = self._resolve_path(entry['video'], where)
            if filename is None:
                skipped.append(where)
                continue
            n_anomaly_format += entry['timestamps'] is None
            n_regions_without_keyframes += sum(not r for r in box_infos)
            record = dict(
                filename=filename,
                video_id=video_stem(entry['video']),
                label=label,
                class_name=self.classes[label],
                is_anomaly=label != 0,
                global_caption=caption,
                region_captions=region_captions,
                short_caption=entry.get('short_caption'),
                box_infos=box_infos,
                timestamps=entry['timestamps'],
                ann_index=i)
            if self.test_mode:
                intervals = self._json_intervals(entry, where)
                self._check_anomaly_has_intervals(record, intervals, where,
                                                  "field 'anomaly_intervals'")
                total = entry.get('total_frames')
                if total is not None and (isinstance(total, bool) or
                                          not isinstance(total, int)
                                          or total <= 0):
                    raise AnnotationError(
                        f"{where}: field 'total_frames' must be a positive "
                        f'integer or null, got {total!r}')
                record.update(anomaly_intervals=intervals, total_frames=total)
            records.append(record)
        if skipped:
            print_log(
                f'{type(self).__name__}: skipped {len(skipped)} entries whose '
                f'video is missing (missing_videos=\'skip\'): '
                + '; '.join(skipped[:10]) + (' ...' if len(skipped) > 10 else ''),
                logger='current', level=logging.WARNING)
        self.summary.update(
            num_missing_videos_skipped=len(skipped),
            num_anomaly_format=n_anomaly_format,
            num_normal_format=len(entries) - len(skipped) - n_anomaly_format,
            num_clamped_boxes=n_clamped,
            num_regions_without_keyframes=n_regions_without_keyframes)
        return records

    @staticmethod
    def _json_intervals(entry: dict, where: str) -> np.ndarray:
        """``anomaly_intervals`` of a test-mode JSON entry as int64 ``(K, 2)``
        (``[[start, end), ...]``, ``0 <= start < end``; null/absent = none).
        """
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

    @staticmethod
    def _check_anomaly_has_intervals(record: dict, intervals: np.ndarray,
                                     where: str, field: str) -> None:
        """An anomalous test video without intervals would get all-normal
        frame labels: an error, not a silent wrong ground truth."""
        if record['is_anomaly'] and intervals.size == 0:
            raise AnnotationError(
                f"{where}: class {record['class_name']!r} is anomalous but "
                f'{field} gives no anomaly interval; every frame would be '
                'labelled normal (annotate its intervals, or give it the '
                'normal class)')

    def _where(self, rec: dict) -> str:
        """Names a record in errors: file, line or entry, and video."""
        kind = 'line' if self._text_records else 'entry'
        return (f"{self.ann_file}: {kind} {rec['ann_index']} "
                f"({rec['video_id']})")

    def _load_text_records(self) -> List[dict]:
        records = []
        for rec in parse_ucf_test_annotations(self.ann_file):
            where = f"{self.ann_file}: line {rec['line']} ({rec['name']})"
            label = self._class_index(rec['class_name'])
            if label is None:
                if 'normal' in rec['class_name'].lower():
                    label = 0
                else:
                    raise AnnotationError(
                        f"{where}: class {rec['class_name']!r} is not one of "
                        f'{self.classes} (set metainfo or class_aliases)')
            caption, region_captions = self._captions({}, label)
            self._check_anomaly_has_intervals(
                dict(is_anomaly=label != 0, class_name=self.classes[label]),
                rec['anomaly_intervals'], where, 'the line')
            records.append(
                dict(
                    filename=self._resolve_path(rec['name'], where),
                    video_id=rec['video_id'],
                    label=label,
                    class_name=self.classes[label],
                    is_anomaly=label != 0,
                    global_caption=caption,
                    region_captions=[],
                    short_caption=None,
                    box_infos=[],
                    timestamps=None,
                    ann_index=rec['line'],
                    anomaly_intervals=rec['anomaly_intervals'],
                    total_frames=rec['total_frames']))
        return records

    def _expand_clips(self, records: List[dict]) -> List[dict]:
        counts = read_lengths(self._local_path(
            self.frame_counts_file)) if self.frame_counts_file else {}
        data_list = []
        num_clipped = 0
        for rec in records:
            total = rec.get('total_frames') or counts.get(rec['video_id'])
            if total is None:
                try:
                    total = get_num_frames(rec['filename'],
                                           self.frame_count_backend)
                except VideoReadError as e:
                    raise AnnotationError(
                        f'{self._where(rec)}: no frame count in the '
                        f'annotation and the video cannot be probed: {e}'
                    ) from e
            total = int(total)
            if total <= 0:
                raise AnnotationError(
                    f'{self._where(rec)}: frame count must be positive, got '
                    f'{total}')
            intervals = rec['anomaly_intervals']
            late = intervals[intervals[:, 0] >= total] if intervals.size \
                else intervals
            if late.size:
                raise AnnotationError(
                    f'{self._where(rec)}: anomaly interval(s) '
                    f'{late.tolist()} start at or after the end of the video '
                    f'({total} frames); their frames would silently vanish '
                    '(wrong frame count or interval?)')
            if intervals.size and intervals.max() > total:
                # The official UCF-Crime file has ends 1-2 frames past the end.
                intervals = np.minimum(intervals, total)
                num_clipped += 1
            clips = cover_video_with_clips(total, self.clip_len,
                                           self.frame_interval)
            for k, inds in enumerate(clips):
                clip = dict(rec)
                clip.update(
                    total_frames=total,
                    frame_inds=inds,
                    clip_index=k,
                    num_clips=len(clips),
                    anomaly_intervals=intervals)
                data_list.append(clip)
        self.summary['num_intervals_clipped_to_video'] = num_clipped
        return data_list
