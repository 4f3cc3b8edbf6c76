"""The original FG-CLIP VAD project's training annotations: a JSON list of

``{video, global_caption, region_captions[], box_infos[region][{frame, bbox}],
timestamps}`` (plain or gzip-compressed). :func:`validate_fgclip_entry` checks
one entry and normalises it; every error names the entry and the field.
"""

import json
import math
from typing import Any, List, Optional, Tuple

from .base import AnnotationError, open_text

__all__ = ['load_json_entries', 'validate_fgclip_entry']


def load_json_entries(path: str) -> List[Any]:
    """Load a JSON list (``.json`` or ``.json.gz``; a one-list wrapper object
    such as ``{"annotations": [...]}`` is unwrapped)."""
    try:
        with open_text(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise AnnotationError(
            f'{path}: not valid JSON ({e})', code='bad_file'
        ) from e
    except UnicodeDecodeError as e:
        raise AnnotationError(
            f'{path}: not UTF-8 text ({e})', code='bad_file'
        ) from e
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise AnnotationError(
                f'{path}: expected a JSON list of entries, got an object with '
                f'keys {sorted(data)}',
                code='bad_file',
            )
        data = lists[0]
    if not isinstance(data, list):
        raise AnnotationError(
            f'{path}: expected a JSON list of entries, got '
            f'{type(data).__name__}',
            code='bad_file',
        )
    return data


def _is_number(x: Any) -> bool:
    return (
        isinstance(x, (int, float))
        and not isinstance(x, bool)
        and math.isfinite(x)
    )


def _optional_str(
    entry: dict, key: str, where: str, required: bool = False
) -> Optional[str]:
    value = entry.get(key)
    if value is None and required:
        raise AnnotationError(
            f"{where}: field '{key}' is missing", code='missing_caption'
        )
    if value is not None and not isinstance(value, str):
        raise AnnotationError(
            f"{where}: field '{key}' must be a string, got "
            f'{type(value).__name__}',
            code='bad_field',
        )
    return value


def _string_list(entry: dict, key: str, where: str) -> List[str]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(
        isinstance(c, str) for c in value
    ):
        raise AnnotationError(
            f"{where}: field '{key}' must be a list of strings",
            code='bad_field',
        )
    return list(value)


def _check_keyframe(
    kf: Any, field: str, where: str, box_tolerance: float
) -> Tuple[dict, bool]:
    """One ``{frame, bbox}`` keyframe, its box clamped to ``[0, 1]``.

    Returns:
        tuple[dict, bool]: The keyframe and whether its box was clamped.
    """
    if not isinstance(kf, dict):
        raise AnnotationError(
            f"{where}: field '{field}' must be an object", code='bad_keyframe'
        )
    for key in ('frame', 'bbox'):
        if key not in kf:
            raise AnnotationError(
                f"{where}: field '{field}.{key}' is missing",
                code='bad_keyframe',
            )
    frame = kf['frame']
    if not _is_number(frame) or frame != int(frame) or frame < 0:
        raise AnnotationError(
            f"{where}: field '{field}.frame' must be a non-negative integer "
            f'frame index, got {frame!r}',
            code='bad_keyframe',
        )
    bbox = kf['bbox']
    if (
        not isinstance(bbox, (list, tuple))
        or len(bbox) != 4
        or not all(_is_number(v) for v in bbox)
    ):
        n = len(bbox) if isinstance(bbox, (list, tuple)) else 'no'
        raise AnnotationError(
            f"{where}: field '{field}.bbox' must be 4 numbers "
            f'[x1, y1, x2, y2], got {n} ({bbox!r})',
            code='bad_keyframe',
        )
    box = [float(v) for v in bbox]
    if min(box) < -box_tolerance or max(box) > 1 + box_tolerance:
        raise AnnotationError(
            f"{where}: field '{field}.bbox' {bbox!r} is outside the "
            f'normalised range [0, 1] by more than {box_tolerance} '
            '(pixel coordinates?)',
            code='box_out_of_range',
        )
    if box[2] < box[0] or box[3] < box[1]:
        raise AnnotationError(
            f"{where}: field '{field}.bbox' {bbox!r} has x2 < x1 or y2 < y1",
            code='bad_keyframe',
        )
    clamped = [min(max(v, 0.0), 1.0) for v in box]
    return dict(frame=int(frame), bbox=clamped), clamped != box


def _check_regions(
    box_infos: Any, where: str, box_tolerance: float
) -> Tuple[List[List[dict]], int]:
    """``box_infos`` with keyframes sorted by frame and boxes clamped.

    Returns:
        tuple[list, int]: The regions and the number of clamped boxes.
    """
    if box_infos is None:
        return [], 0
    if not isinstance(box_infos, list):
        raise AnnotationError(
            f"{where}: field 'box_infos' must be a list of regions",
            code='bad_field',
        )
    regions, n_clamped = [], 0
    for r, region in enumerate(box_infos):
        if not isinstance(region, list):
            raise AnnotationError(
                f"{where}: field 'box_infos[{r}]' must be a list of keyframes",
                code='bad_field',
            )
        keyframes = []
        for k, kf in enumerate(region):
            kf, clamped = _check_keyframe(
                kf, f'box_infos[{r}][{k}]', where, box_tolerance
            )
            keyframes.append(kf)
            n_clamped += clamped
        keyframes.sort(key=lambda d: d['frame'])
        frames = [d['frame'] for d in keyframes]
        if len(set(frames)) != len(frames):
            raise AnnotationError(
                f"{where}: field 'box_infos[{r}]' has two "
                'keyframes on the same frame',
                code='bad_keyframe',
            )
        regions.append(keyframes)
    return regions, n_clamped


def _check_region_captions(
    regions: List[List[dict]], captions: List[str], where: str
) -> None:
    """Every region with keyframes needs its own non-empty caption (regions
    without keyframes -- normal entries' ``[[]]`` -- may go uncaptioned)."""
    if (
        (any(regions) or captions)
        and regions
        and len(regions) != len(captions)
    ):
        raise AnnotationError(
            f"{where}: {len(regions)} regions in 'box_infos' but "
            f"{len(captions)} 'region_captions'",
            code='count_mismatch',
        )
    for r, (keyframes, text) in enumerate(zip(regions, captions)):
        if keyframes and not text.strip():
            raise AnnotationError(
                f"{where}: field 'region_captions[{r}]' is empty but region "
                f"{r} of 'box_infos' has {len(keyframes)} keyframe(s)",
                code='empty_caption',
            )


def _check_timestamps(ts: Any, where: str) -> Optional[List[float]]:
    if ts is None:
        return None
    if (
        not isinstance(ts, (list, tuple))
        or len(ts) != 2
        or not all(_is_number(v) for v in ts)
    ):
        raise AnnotationError(
            f"{where}: field 'timestamps' must be null or [start_s, end_s], "
            f'got {ts!r}',
            code='bad_timestamps',
        )
    if ts[0] < 0 or ts[1] <= ts[0]:
        raise AnnotationError(
            f"{where}: field 'timestamps' {list(ts)!r} "
            'must satisfy 0 <= start < end',
            code='bad_timestamps',
        )
    return [float(ts[0]), float(ts[1])]


def validate_fgclip_entry(
    entry: Any,
    where: str,
    require_global_caption: bool = True,
    box_tolerance: float = 0.01,
) -> Tuple[dict, int]:
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
        ``box_infos`` default to empty lists; a normal entry's ``[[]]`` without
        region captions becomes ``[]``), and the number of boxes that were
        clamped.
    """
    if not isinstance(entry, dict):
        raise AnnotationError(
            f'{where}: expected an object, got {type(entry).__name__}',
            code='not_an_object',
        )
    video = entry.get('video')
    if not isinstance(video, str) or not video.strip():
        raise AnnotationError(
            f"{where}: field 'video' is missing or not a non-empty string",
            code='bad_video',
        )
    caption = _optional_str(
        entry, 'global_caption', where, require_global_caption
    )
    if caption is not None and not caption.strip():
        raise AnnotationError(
            f"{where}: field 'global_caption' is empty", code='empty_caption'
        )
    _optional_str(entry, 'short_caption', where)
    captions = _string_list(entry, 'region_captions', where)
    box_infos = entry.get('box_infos')
    if box_infos == [[]] and not captions:
        box_infos = []
    regions, n_clamped = _check_regions(box_infos, where, box_tolerance)
    _check_region_captions(regions, captions, where)
    out = dict(entry)
    out.update(
        region_captions=captions,
        box_infos=regions,
        timestamps=_check_timestamps(entry.get('timestamps'), where),
    )
    return out, n_clamped
