"""The dataset of FG-CLIP VAD: captioned videos with keyframe boxes and
timestamps for training, and whole videos cut into covering clips for
testing.

The parts live in their own modules and are tested on their own: record
building (:mod:`.annotation_records`), classes (:mod:`.class_resolver`),
video paths (:mod:`.video_paths`) and test clips (:mod:`.test_clips`).
"""

import os.path as osp
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Set, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmengine.dist import is_main_process
from mmengine.logging import print_log

from ..annotations import (
    UCF_CRIME_CLASSES,
    AnnotationError,
    load_video_names,
    read_lengths,
    video_stem,
)
from .annotation_records import RecordBuilder
from .class_resolver import ClassResolver
from .entry_policies import POLICIES, check_policies
from .entry_report import write_entry_report
from .sample_skips import SkipAccountingMixin
from .test_clips import expand_clips
from .video_io import VideoReadError, get_num_frames
from .video_paths import VideoPathResolver


@DATASETS.register_module()
class TimestampSegmentDataset(SkipAccountingMixin, BaseActionDataset):
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
    :func:`~fgclip_mm.datasets.test_clips.cover_video_with_clips`), one sample
    per clip, so that a metric can score every frame.

    A training sample whose video fails to load with the pipeline's
    ``on_error='skip'`` is replaced by another, which reports it
    (:class:`~fgclip_mm.datasets.sample_skips.SkipAccountingMixin`); test
    samples are never skipped.

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
            ``'UCF_Crimes_Videos/UCF_Crimes/Videos/'``); shorthand for
            ``path_map={strip_prefix: '', '': ''}``. Defaults to None.
        path_map (dict[str, str], optional): Annotation path prefix to local
            directory (relative to ``data_prefix['video']`` or absolute),
            matched longest first on whole path components, after reading
            annotation-tool URLs (``/data/local-files/?d=``, ``file://``,
            percent-encoding). A path no prefix matches is an error naming
            the entry; ``''`` maps every other path. E.g.
            ``{'UCF_Crimes_Videos/UCF_Crimes/Videos/': 'ucf',
            '/data/local-files/?d=MSAD/': 'msad'}``. Defaults to None.
        class_sources (dict[str, str | list[str]], optional): Video path
            prefix to the class table of that source (a dataset name such as
            ``'msad'`` or the class names): those entries' classes are read in
            their source's table, then mapped onto ``metainfo['classes']``
            (with ``class_aliases`` and the built-in equivalences, e.g.
            MSAD's ``Traffic_accident`` -> ``RoadAccidents``). Defaults to
            None.
        exclude_file (str | list[str], optional): File(s) naming videos to
            leave out, matched on the file stem: one name per line, a
            UCF-format test annotation, a CSV with the name first, or a JSON
            list. Relative paths are looked up under ``data_root`` first.
            Defaults to None.
        exclude_names (list[str], optional): Video names or stems to leave out.
            Defaults to None.
        label_source (str): ``'path'`` (class from the nearest folder of the
            video path that names a class or an alias; a folder with the
            whole word "normal" maps to class 0, see
            :func:`~fgclip_mm.annotations.is_normal_class`), ``'field'`` (from
            ``label_field``) or
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
        invalid_entries (str): What a training entry that fails validation
            (box tracks vs. captions count, unknown class, bad timestamps,
            empty caption, boxes far out of range, ...) does: ``'error'``
            (naming it), ``'skip'`` (left out, counted by reason in
            :attr:`summary`, logged, listed in ``report_file``) or
            ``'repair'`` (a count mismatch is cut to the common prefix and
            reported; other invalid entries are skipped). Refused in test
            mode. Defaults to ``'error'``.
        duplicate_entries (str): A training entry that repeats an earlier
            one exactly (the original UCF JSON has 5): ``'warn'`` (kept,
            logged and counted), ``'skip'`` or ``'error'``. In test mode a
            video in two entries is always an error. Defaults to ``'warn'``.
        report_file (str, optional): JSON (or ``.csv``) file listing every
            skipped or repaired entry (index, video, reason), written at
            load time when set (relative to the working directory).
            Defaults to None (the log only).
        clip_len (int): Test mode: frames per clip. Defaults to 16.
        frame_interval (int): Test mode: gap between a clip's frames. Defaults
            to 1.
        frame_counts_file (str, optional): Test mode: ``name count`` lines
            (or any file :func:`~fgclip_mm.annotations.read_lengths`
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

    def __init__(
        self,
        ann_file: str,
        pipeline: List[Union[dict, Callable]],
        data_prefix: dict = dict(video=''),
        strip_prefix: Optional[str] = None,
        path_map: Optional[Dict[str, str]] = None,
        class_sources: Optional[Dict[str, object]] = None,
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
        invalid_entries: str = 'error',
        duplicate_entries: str = 'warn',
        report_file: Optional[str] = None,
        clip_len: int = 16,
        frame_interval: int = 1,
        frame_counts_file: Optional[str] = None,
        frame_count_backend: str = 'decord',
        test_mode: bool = False,
        **kwargs,
    ) -> None:
        self.missing_videos = missing_videos
        self.invalid_entries = invalid_entries
        self.duplicate_entries = duplicate_entries
        self.report_file = report_file
        self.strip_prefix = strip_prefix
        self.path_map = dict(path_map) if path_map else None
        self.class_sources = dict(class_sources) if class_sources else None
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
        check_policies(test_mode, **{k: getattr(self, k) for k in POLICIES})
        self.summary: Dict[str, object] = {}
        self._text_records = False
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs,
        )

    # ------------------------------------------------------------------ parts
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

    def _record_builder(self) -> RecordBuilder:
        classes = ClassResolver(
            self.classes,
            self.label_source,
            self.label_field,
            self.class_aliases,
            self.class_sources,
        )
        paths = VideoPathResolver(
            self.data_prefix.get('video', '') or '',
            self.strip_prefix,
            self.check_files,
            self.missing_videos,
            self.path_map,
        )
        return RecordBuilder(
            classes,
            paths,
            self.caption_template,
            self.region_caption_template,
            self.box_tolerance,
            self.invalid_entries,
            self.duplicate_entries,
        )

    def _write_report(self, builder: RecordBuilder) -> None:
        # every rank loads the same file: one writes the report
        if self.report_file and is_main_process():
            write_entry_report(
                self.report_file,
                builder.issues,
                dict(
                    ann_file=self.ann_file,
                    invalid_entries=self.invalid_entries,
                    num_entries=self.summary.get('num_entries'),
                ),
            )
            print_log(
                f'{type(self).__name__}: entry report written to '
                f'{self.report_file}',
                logger='current',
            )

    def _where(self, rec: dict) -> str:
        """Names a record in errors: file, line or entry, and video."""
        kind = 'line' if self._text_records else 'entry'
        return (
            f'{self.ann_file}: {kind} {rec["ann_index"]} ({rec["video_id"]})'
        )

    def _probe_frames(self, rec: dict) -> int:
        try:
            return get_num_frames(rec['filename'], self.frame_count_backend)
        except VideoReadError as e:
            raise AnnotationError(
                f'{self._where(rec)}: no frame count in the annotation and '
                f'the video cannot be probed: {e}'
            ) from e

    # ------------------------------------------------------------------ load
    def _load_records(self, builder: RecordBuilder) -> List[dict]:
        is_text = self.ann_file.endswith(('.txt', '.txt.gz'))
        self._text_records = self.test_mode and is_text
        if self._text_records:
            return builder.from_text(self.ann_file)
        if is_text:
            raise AnnotationError(
                f'{self.ann_file}: training needs the FG-CLIP JSON format '
                '(a UCF-format text file has no captions); text files are '
                'read in test_mode'
            )
        return builder.from_json(self.ann_file, self.test_mode)

    def load_data_list(self) -> List[dict]:
        """Parse ``ann_file`` into one dict per sample (per clip in test
        mode)."""
        builder = self._record_builder()
        records = self._load_records(builder)
        excluded = self._excluded_stems()
        kept = [r for r in records if r['video_id'] not in excluded]
        self.summary.update(
            num_entries=len(records),
            num_excluded=len(records) - len(kept),
            num_kept=len(kept),
            num_excluded_videos=len(
                {r['video_id'] for r in records} & excluded
            ),
            label_counts=dict(Counter(self.classes[r['label']] for r in kept)),
            num_anomalous_label=sum(r['is_anomaly'] for r in kept),
            num_normal_label=sum(not r['is_anomaly'] for r in kept),
        )
        self.summary.update(builder.stats)
        if builder.class_counts:
            self.summary['entries_by_source'] = dict(
                Counter(src for src, _ in builder.class_counts.elements())
            )
        self._write_report(builder)
        data_list = kept
        if self.test_mode:
            counts = (
                read_lengths(self._local_path(self.frame_counts_file))
                if self.frame_counts_file
                else {}
            )
            data_list, num_clipped = expand_clips(
                kept,
                self.clip_len,
                self.frame_interval,
                counts,
                self._probe_frames,
                self._where,
            )
            self.summary.update(
                num_clips=len(data_list),
                num_intervals_clipped_to_video=num_clipped,
            )
        print_log(
            f'{type(self).__name__}: {self.ann_file}: '
            + ', '.join(f'{k}={v}' for k, v in self.summary.items()),
            logger='current',
        )
        return data_list
