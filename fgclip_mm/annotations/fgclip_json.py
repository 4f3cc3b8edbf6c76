"""The original FG-CLIP VAD project's training annotations: a JSON list of

``{video, global_caption, region_captions[], box_infos[region][{frame, bbox}],
timestamps}`` (plain or gzip-compressed). :func:`validate_fgclip_entry` checks
one entry and normalises it; every error names the entry and the field.
"""

import json
import math
from typing import Any, List, Optional, Tuple

from .base import MAX_INT, AnnotationError, read_text, video_stem

__all__ = [
    'DUPLICATE_ENTRY_POLICIES',
    'load_json_entries',
    'validate_fgclip_entry',
    'repair_count_mismatch',
    'repeated_entry',
]

#: What a training entry identical to an earlier one does: kept with a
#: warning and a count, skipped (counted), or an error.
DUPLICATE_ENTRY_POLICIES = ('warn', 'skip', 'error')


def _json_int(token: str) -> Any:
    """JSON integers beyond int64 become floats (as JavaScript reads them),
    so that they fail the integer checks with their entry named instead of
    overflowing an int64 array later."""
    digits = token.lstrip('-')
    if len(digits) <= 18 or (len(digits) == 19 and abs(int(token)) <= MAX_INT):
        return int(token)
    return float(token)


def load_json_entries(path: str) -> List[Any]:
    """Load a JSON list (``.json`` or ``.json.gz``; a one-list wrapper object
    such as ``{"annotations": [...]}`` is unwrapped).

    Gzip-compressed files are recognised by their content, whatever their
    name; the text must be UTF-8. An unreadable file is an
    :class:`AnnotationError` with code ``'bad_file'`` naming the file and
    the line (and column) where reading stopped.
    """
    text = read_text(path, code='bad_file')
    try:
        data = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as e:
        raise AnnotationError(
            f'{path}:{e.lineno}: not valid JSON ({e})', code='bad_file'
        ) from None
    except RecursionError:
        raise AnnotationError(
            f'{path}: not an annotation file (JSON nested too deeply)',
            code='bad_file',
        ) from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise AnnotationError(
                f'{path}: expected a JSON list of entries, got an object with '
                f'keys {_shorten_keys(data)}',
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


def _shorten_keys(data: dict, limit: int = 10) -> str:
    keys = sorted(data)
    more = f' and {len(keys) - limit} more' if len(keys) > limit else ''
    return f'{keys[:limit]}{more}'


def _is_number(x: Any) -> bool:
    """A finite JSON number (not a bool, NaN or infinity)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # an int beyond the float range
        return False


def _brief(value: Any, limit: int = 120) -> str:
    """``repr(value)``, cut to ``limit`` characters for a message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + '...'


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
    value = entry.get(key)
    if value is None:
        return []
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
    if (
        not _is_number(frame)
        or frame != int(frame)
        or not 0 <= frame <= MAX_INT
    ):
        raise AnnotationError(
            f"{where}: field '{field}.frame' must be a non-negative integer "
            f'frame index (< 2**63), got {_brief(frame)}',
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
            f'[x1, y1, x2, y2], got {n} ({_brief(bbox)})',
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
            f'got {_brief(ts)}',
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


def repair_count_mismatch(raw: Any) -> Optional[dict]:
    """The entry with ``box_infos`` and ``region_captions`` cut to their
    common prefix (the one mechanical defect ``invalid_entries='repair'``
    fixes); None when that is not the defect or leaves nothing."""
    boxes = raw.get('box_infos') if isinstance(raw, dict) else None
    captions = raw.get('region_captions') if isinstance(raw, dict) else None
    if not isinstance(boxes, list) or not isinstance(captions, list):
        return None
    n = min(len(boxes), len(captions))
    if n == 0 or len(boxes) == len(captions):
        return None
    return dict(raw, box_infos=boxes[:n], region_captions=captions[:n])


def repeated_entry(
    raw: Any, index: int, path: str, seen: dict, test_mode: bool
) -> Optional[AnnotationError]:
    """The error for an entry that repeats an earlier one, or None.

    A training entry repeats another when both are the same JSON value (the
    same video in several entries is normal: one per segment); in test mode
    when both name the same video id (it would be scored twice).

    Args:
        raw (Any): The entry as loaded.
        index (int): Its index in the file.
        path (str): The file, for the message.
        seen (dict): Keys of the entries so far (updated).
        test_mode (bool): Compare video ids instead of whole entries.

    Returns:
        AnnotationError | None: Naming both entries, with code
        ``'duplicate_video'`` (test mode) or ``'duplicate_entry'``.
    """
    name = raw.get('video') if isinstance(raw, dict) else None
    key = json.dumps(raw, sort_keys=True)
    if test_mode:
        key = video_stem(name) if isinstance(name, str) else None
    first = seen.setdefault(key, index)
    if key is None or first == index:
        return None
    where = f'{path}: entry {index}'
    if test_mode:
        return AnnotationError(
            f'{where}: video {key!r} is also entry {first}; a test video is '
            'scored once (remove one of them)',
            code='duplicate_video',
        )
    return AnnotationError(
        f'{where}: repeats entry {first} exactly (it would count twice)',
        code='duplicate_entry',
    )
