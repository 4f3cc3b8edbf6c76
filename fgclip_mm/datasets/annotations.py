"""Parsers of the annotation files the dataset reads.

* :func:`load_json_entries` / :func:`validate_fgclip_entry`: the original
  FG-CLIP VAD project's JSON list (``video``, ``global_caption``,
  ``region_captions``, ``box_infos``, ``timestamps``), plain or
  gzip-compressed.
* :func:`parse_ucf_test_annotations`: the UCF-Crime test annotation text format
  ``name class s1 e1 s2 e2 [num_frames]`` (also produced by our converters for
  XD-Violence and ShanghaiTech), read by the one parser of that format,
  :func:`fgclip_mm.evaluation.functional.read_ucf_annotation_lines`.
* :func:`load_video_names` (exclude lists).

The text-file readers (:func:`video_stem`, ``read_video_list``,
``read_lengths``) and :class:`AnnotationError` live in
:mod:`fgclip_mm.evaluation.functional.annotations` and are shared with the
metric tools; this module re-exports :class:`AnnotationError` and
:func:`video_stem`. Every error is an :class:`AnnotationError` naming the
file, the entry (index or line) and the offending field.
"""
import json
import math
import os.path as osp
import re
from typing import Any, List, Optional, Set, Tuple

import numpy as np

from ..evaluation.functional.annotations import (AnnotationError, _open_text,
                                                 read_ucf_annotation_lines,
                                                 read_video_list, video_stem)

__all__ = [
    'AnnotationError', 'video_stem', 'class_text', 'load_json_entries',
    'validate_fgclip_entry', 'parse_ucf_test_annotations', 'load_video_names',
    'cover_video_with_clips', 'format_ucf_line'
]


def class_text(class_name: str) -> str:
    """Readable text of a class name: ``'RoadAccidents'`` -> ``'road
    accidents'``."""
    words = re.sub(r'(?<=[a-z])(?=[A-Z])', ' ', class_name).replace('_', ' ')
    return words.lower()


def load_json_entries(path: str) -> List[Any]:
    """Load a JSON list (``.json`` or ``.json.gz``)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Annotation file not found: {path}')
    try:
        with _open_text(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise AnnotationError(f'{path}: not valid JSON ({e})') from e
    if isinstance(data, dict):
        # Tolerate {"annotations": [...]}-style wrappers with one list value.
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise AnnotationError(
                f'{path}: expected a JSON list of entries, got an object with '
                f'keys {sorted(data)}')
        data = lists[0]
    if not isinstance(data, list):
        raise AnnotationError(f'{path}: expected a JSON list of entries, got '
                              f'{type(data).__name__}')
    return data


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and \
        math.isfinite(x)


def validate_fgclip_entry(entry: Any,
                          where: str,
                          require_global_caption: bool = True,
                          box_tolerance: float = 0.01) -> Tuple[dict, int]:
    """Check one entry of the FG-CLIP JSON and normalise it.

    Args:
        entry (Any): The raw JSON value.
        where (str): Prefix naming the entry in errors, e.g.
            ``'train.json: entry 12 (Abuse/Abuse001_x264.mp4)'``.
        require_global_caption (bool): Whether ``global_caption`` must be
            present (``False`` when captions come from class-name templates).
            Defaults to True.
        box_tolerance (float): Coordinates outside ``[0, 1]`` by at most this
            much are clamped; larger excursions are errors. Defaults to 0.01.

    Returns:
        tuple[dict, int]: The entry with ``box_infos`` keyframes sorted by
        frame and boxes clamped to ``[0, 1]`` (``region_captions`` and
        ``box_infos`` default to empty lists), and the number of boxes that
        were clamped.
    """
    if not isinstance(entry, dict):
        raise AnnotationError(
            f'{where}: expected an object, got {type(entry).__name__}')
    video = entry.get('video')
    if not isinstance(video, str) or not video.strip():
        raise AnnotationError(
            f"{where}: field 'video' is missing or not a non-empty string")
    out = dict(entry)

    caption = entry.get('global_caption')
    if caption is None and require_global_caption:
        raise AnnotationError(f"{where}: field 'global_caption' is missing")
    if caption is not None and not isinstance(caption, str):
        raise AnnotationError(f"{where}: field 'global_caption' must be a "
                              f'string, got {type(caption).__name__}')

    region_captions = entry.get('region_captions', [])
    if region_captions is None:
        region_captions = []
    if not isinstance(region_captions, list) or not all(
            isinstance(c, str) for c in region_captions):
        raise AnnotationError(
            f"{where}: field 'region_captions' must be a list of strings")
    out['region_captions'] = list(region_captions)

    short = entry.get('short_caption')
    if short is not None and not isinstance(short, str):
        raise AnnotationError(f"{where}: field 'short_caption' must be a "
                              'string or null')

    box_infos = entry.get('box_infos', [])
    if box_infos is None:
        box_infos = []
    if not isinstance(box_infos, list):
        raise AnnotationError(
            f"{where}: field 'box_infos' must be a list of regions")
    if box_infos == [[]] and not region_captions:
        box_infos = []
    n_clamped = 0
    regions = []
    for r, region in enumerate(box_infos):
        if not isinstance(region, list):
            raise AnnotationError(f"{where}: field 'box_infos[{r}]' must be a "
                                  'list of keyframes')
        keyframes = []
        for k, kf in enumerate(region):
            field = f'box_infos[{r}][{k}]'
            if not isinstance(kf, dict):
                raise AnnotationError(
                    f"{where}: field '{field}' must be an object")
            if 'frame' not in kf:
                raise AnnotationError(f"{where}: field '{field}.frame' is "
                                      'missing')
            if 'bbox' not in kf:
                raise AnnotationError(f"{where}: field '{field}.bbox' is "
                                      'missing')
            frame = kf['frame']
            if not _is_number(frame) or frame != int(frame) or frame < 0:
                raise AnnotationError(
                    f"{where}: field '{field}.frame' must be a non-negative "
                    f'integer frame index, got {frame!r}')
            bbox = kf['bbox']
            if not isinstance(bbox, (list, tuple)) or len(bbox) != 4 or \
                    not all(_is_number(v) for v in bbox):
                n = len(bbox) if isinstance(bbox, (list, tuple)) else 'no'
                raise AnnotationError(
                    f"{where}: field '{field}.bbox' must be 4 numbers "
                    f'[x1, y1, x2, y2], got {n} ({bbox!r})')
            x1, y1, x2, y2 = (float(v) for v in bbox)
            if min(x1, y1, x2, y2) < -box_tolerance or \
                    max(x1, y1, x2, y2) > 1 + box_tolerance:
                raise AnnotationError(
                    f"{where}: field '{field}.bbox' {bbox!r} is outside the "
                    f'normalised range [0, 1] by more than {box_tolerance} '
                    '(pixel coordinates?)')
            if x2 < x1 or y2 < y1:
                raise AnnotationError(
                    f"{where}: field '{field}.bbox' {bbox!r} has x2 < x1 or "
                    'y2 < y1')
            clamped = [min(max(v, 0.0), 1.0) for v in (x1, y1, x2, y2)]
            if clamped != [x1, y1, x2, y2]:
                n_clamped += 1
            keyframes.append(dict(frame=int(frame), bbox=clamped))
        keyframes.sort(key=lambda d: d['frame'])
        frames = [d['frame'] for d in keyframes]
        if len(set(frames)) != len(frames):
            raise AnnotationError(
                f"{where}: field 'box_infos[{r}]' has two keyframes on the "
                'same frame')
        regions.append(keyframes)
    # Every region with keyframes needs its own non-empty caption (regions
    # without keyframes -- normal entries' ``[[]]`` -- may go uncaptioned).
    has_keyframes = any(regions)
    if (has_keyframes or region_captions) and regions and \
            len(regions) != len(region_captions):
        raise AnnotationError(
            f"{where}: {len(regions)} regions in 'box_infos' but "
            f"{len(region_captions)} 'region_captions'")
    for r, (keyframes, text) in enumerate(zip(regions, region_captions)):
        if keyframes and not text.strip():
            raise AnnotationError(
                f"{where}: field 'region_captions[{r}]' is empty but region "
                f"{r} of 'box_infos' has {len(keyframes)} keyframe(s)")
    out['box_infos'] = regions

    ts = entry.get('timestamps')
    if ts is not None:
        if not isinstance(ts, (list, tuple)) or len(ts) != 2 or \
                not all(_is_number(v) for v in ts):
            raise AnnotationError(
                f"{where}: field 'timestamps' must be null or "
                f'[start_s, end_s], got {ts!r}')
        if ts[0] < 0 or ts[1] <= ts[0]:
            raise AnnotationError(
                f"{where}: field 'timestamps' {list(ts)!r} must satisfy "
                '0 <= start < end')
        out['timestamps'] = [float(ts[0]), float(ts[1])]
    else:
        out['timestamps'] = None
    return out, n_clamped


def parse_ucf_test_annotations(path: str,
                               max_events: Optional[int] = None) -> List[dict]:
    """Read a test annotation file in the UCF-Crime text format.

    The format and its checks are those of
    :func:`fgclip_mm.evaluation.functional.read_ucf_annotation_lines` (the
    one parser, shared with the metric tools): ``name class s1 e1 [s2 e2
    ...] [num_frames]``, any whitespace, ``-1 -1`` = none, integer frame
    numbers, ``0 <= start < end``, an odd count of numbers ends with the
    frame count, each video once. Intervals are returned as written (read
    half-open, ``[start, end)``); an end past the frame count is kept (the
    official file has five that overshoot by 1-2 frames;
    :class:`TimestampSegmentDataset` clips them).

    Args:
        path (str): The annotation file.
        max_events (int, optional): Most intervals per line. Defaults to
            None (any number, as the converters write for XD-Violence and
            ShanghaiTech); 2 enforces the official UCF-Crime format.

    Returns:
        list[dict]: Per line ``name`` (file name as written), ``video_id``
        (stem), ``class_name``, ``anomaly_intervals`` (np.int64 ``(K, 2)``),
        ``total_frames`` (int or None) and ``line`` (1-based line number).
    """
    return [
        dict(
            name=r['name'],
            video_id=r['video'],
            class_name=r['class_name'],
            anomaly_intervals=np.asarray(r['intervals'],
                                         dtype=np.int64).reshape(-1, 2),
            total_frames=r['num_frames'],
            line=r['line']) for r in read_ucf_annotation_lines(path, max_events)
    ]


def load_video_names(path: str) -> Set[str]:
    """Video stems listed in a file (the dataset's ``exclude_file``): the
    ``video`` values of an FG-CLIP JSON (``.json``/``.json.gz``), else the
    first field of each line of a text file -- a plain list, a UCF-format
    annotation or a CSV with the name first (read by
    :func:`fgclip_mm.evaluation.functional.read_video_list` with
    ``first_field=True``: ``#`` comments and a header line are skipped, a
    name listed twice is an error)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Video list file not found: {path}')
    if path.endswith(('.json', '.json.gz')):
        return {
            video_stem(e['video'] if isinstance(e, dict) else e)
            for e in load_json_entries(path)
        }
    return set(read_video_list(path, first_field=True))


def cover_video_with_clips(total_frames: int,
                           clip_len: int,
                           frame_interval: int = 1) -> List[np.ndarray]:
    """Frame indices of clips that together cover every frame of a video.

    Clip ``k`` samples ``clip_len`` frames ``frame_interval`` apart starting at
    ``k * clip_len * frame_interval``; the last clip is shifted back so that
    its last frame is the video's last frame (it may overlap the one before).
    With ``frame_interval == 1`` every frame is sampled; otherwise every frame
    lies inside a clip's span and the metric fills in between sampled frames.
    Videos shorter than one clip repeat their last frame.

    Args:
        total_frames (int): Frames in the video.
        clip_len (int): Frames per clip.
        frame_interval (int): Gap between sampled frames. Defaults to 1.

    Returns:
        list[np.ndarray]: One int64 array of shape ``(clip_len,)`` per clip.
    """
    if total_frames <= 0:
        raise ValueError(f'total_frames must be positive, got {total_frames}')
    if clip_len <= 0 or frame_interval <= 0:
        raise ValueError('clip_len and frame_interval must be positive')
    offsets = np.arange(clip_len, dtype=np.int64) * frame_interval
    span = int(offsets[-1]) + 1
    if span >= total_frames:
        return [np.minimum(offsets, total_frames - 1)]
    stride = clip_len * frame_interval
    starts = list(range(0, total_frames - span + 1, stride))
    if starts[-1] + span < total_frames:
        starts.append(total_frames - span)
    return [s + offsets for s in starts]


def format_ucf_line(name: str,
                    class_name: str,
                    intervals: np.ndarray,
                    total_frames: Optional[int] = None) -> str:
    """One line of the UCF-Crime test annotation format (at least two interval
    slots, ``-1 -1`` for unused ones; the frame count last when given)."""
    pairs = [int(v) for iv in np.asarray(intervals).reshape(-1, 2) for v in iv]
    pairs += [-1] * max(0, 4 - len(pairs))
    fields = [name, class_name] + [str(v) for v in pairs]
    if total_frames is not None:
        fields.append(str(int(total_frames)))
    return '  '.join(fields)
