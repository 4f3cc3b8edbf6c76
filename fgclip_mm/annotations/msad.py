"""MSAD's test annotation (Zhu et al., NeurIPS 2024 Datasets and Benchmarks).

MSAD ships its frame-level test annotation as ``anomaly_annotation.csv``::

  name,scenario,total frames,starting frame of anomaly,ending frame of anomaly
  Assault_1,shop,426,55,426

one row per anomalous video (one event each); normal videos are not listed.
The weakly supervised split ("protocol ii": train on 360 normal + 120
anomalous videos, test on 120 + 120) comes as feature lists whose lines
end in the video name (``.../Assault_2_i3d.npy``,
``.../MSAD_normal_testing_1_i3d.npy``).

*Assumption, not documented by MSAD:* start and end are read like
UCF-Crime's, as written and half-open ``[start, end)``. Rows whose end
equals the frame count (``Assault_1`` above) rule out a 0-based inclusive
end; a 1-based inclusive reading would move the event one frame earlier.
"""

import csv
import re
from collections import OrderedDict
from typing import Dict, List

from .base import (
    ALREADY_LISTED,
    MAX_INT,
    AnnotationError,
    first_occurrence,
    iter_lines,
    read_lines,
    video_stem,
)
from .class_names import MSAD_CLASSES, is_normal_class

__all__ = [
    'MSAD_ANNOTATION_COLUMNS',
    'msad_video_name',
    'msad_class_of',
    'parse_msad_annotations',
    'read_msad_split',
]

#: Columns of ``anomaly_annotation.csv`` this reader needs.
MSAD_ANNOTATION_COLUMNS = (
    'name',
    'total frames',
    'starting frame of anomaly',
    'ending frame of anomaly',
)

_FEATURE_SUFFIX = re.compile(r'_(i3d|swin|clip|vit)$', re.IGNORECASE)


def msad_video_name(token: str) -> str:
    """Video id of a name, path or feature file of MSAD
    (``'/x/Assault_2_i3d.npy'`` -> ``'Assault_2'``)."""
    return _FEATURE_SUFFIX.sub('', video_stem(token))


def msad_class_of(name: str) -> str:
    """MSAD class of a video id (``'Object_falling_14'`` ->
    ``'Object_falling'``, ``'MSAD_normal_testing_3'`` -> ``'Normal'``).

    Raises:
        ValueError: when the name names no MSAD class.
    """
    stem = re.sub(r'_?\d+$', '', msad_video_name(name))
    lower = {c.lower(): c for c in MSAD_CLASSES}
    if stem.lower() in lower:
        return lower[stem.lower()]
    if is_normal_class(stem):
        return 'Normal'
    raise ValueError(f'{name!r} names no MSAD class {MSAD_CLASSES}')


#: An integer frame number, also as spreadsheets write it (``'55.0'``).
_FRAME = re.compile(r'[+-]?([0-9]+)(\.0*)?')


def _frame(row: dict, key: str, path: str, lineno: int) -> int:
    value = row.get(key) or ''
    value = value.strip() if isinstance(value, str) else ''
    if value in ('', '-1'):
        return -1
    match = _FRAME.fullmatch(value)
    if match is None or len(match.group(1).lstrip('0')) > 19:
        raise AnnotationError(
            path,
            lineno,
            f'{key!r} must be an integer frame number, got {value[:40]!r}',
        )
    number = int(value.split('.')[0])
    if abs(number) > MAX_INT:
        raise AnnotationError(
            path, lineno, f'{key!r} {number} is out of range (> 2**63 - 1)'
        )
    return number


def _row(row: dict, path: str, lineno: int) -> dict:
    name = row.get('name') or ''
    name = msad_video_name(name if isinstance(name, str) else '')
    total = _frame(row, 'total frames', path, lineno)
    start = _frame(row, 'starting frame of anomaly', path, lineno)
    end = _frame(row, 'ending frame of anomaly', path, lineno)
    if not name or total <= 0:
        raise AnnotationError(
            path,
            lineno,
            'a row needs a name and a '
            f'positive frame count, got {name!r}, {total}',
        )
    try:
        class_name = msad_class_of(name)
    except ValueError as e:
        raise AnnotationError(path, lineno, str(e)) from None
    intervals = []
    if (start, end) != (-1, -1):
        if not 0 <= start < end or start >= total or end > total:
            raise AnnotationError(
                path,
                lineno,
                f'event ({start}, {end}) must satisfy 0 <= '
                f'start < end <= total frames ({total})',
            )
        intervals.append((start, end))
    return dict(
        video=name,
        class_name=class_name,
        intervals=intervals,
        num_frames=total,
        scenario=(row.get('scenario') or '').strip(),
    )


def _cells(row: dict) -> List[str]:
    """Every cell of a CSV row, extra cells (a list) included."""
    cells = []
    for value in row.values():
        cells += value if isinstance(value, list) else [value or '']
    return cells


def _merge_row(
    videos: Dict[str, dict],
    rec: dict,
    lines: Dict[str, list],
    lineno: int,
    path: str,
) -> None:
    """Add a row's event to its video; the same event twice or two frame
    counts of one video are errors naming both lines."""
    video = rec.pop('video')
    if video not in videos:
        videos[video] = rec
        lines[video] = [(tuple(rec['intervals']), lineno)]
        return
    first = lines[video][0][1]
    if rec['num_frames'] != videos[video]['num_frames']:
        raise AnnotationError(
            path,
            lineno,
            f'video {video!r} has {rec["num_frames"]} frames here but '
            f'{videos[video]["num_frames"]} on line {first}',
        )
    for events, other in lines[video]:
        if events == tuple(rec['intervals']):
            raise AnnotationError(
                path,
                lineno,
                f'row repeats line {other}: video {video!r}, event '
                f'{list(events) or "none"}',
            )
    lines[video].append((tuple(rec['intervals']), lineno))
    videos[video]['intervals'] += rec['intervals']


def parse_msad_annotations(path: str) -> Dict[str, dict]:
    """Parse MSAD's ``anomaly_annotation.csv`` (comma- or tab-separated).

    Args:
        path (str): The annotation file (``.gz`` allowed).

    Returns:
        dict[str, dict]: Video id to ``dict(class_name, intervals=list of
        (start, end), num_frames, scenario)``, in file order; a video with
        several rows gets all their events (the rows must agree on the
        frame count; a row repeating another's event is an error naming
        both lines).
    """
    lines = read_lines(path)
    delimiter = '\t' if lines and '\t' in lines[0] else ','
    reader = csv.DictReader(lines, delimiter=delimiter)
    try:
        fields = [c.strip() for c in reader.fieldnames or []]
    except csv.Error as e:
        raise AnnotationError(path, 1, f'not a CSV header ({e})') from None
    missing = [c for c in MSAD_ANNOTATION_COLUMNS if c not in fields]
    if missing:
        raise AnnotationError(
            path,
            1,
            f'not an MSAD anomaly annotation (missing columns {missing}; '
            f'expected {list(MSAD_ANNOTATION_COLUMNS)})',
        )
    reader.fieldnames = fields
    videos: Dict[str, dict] = OrderedDict()
    first_lines: Dict[str, list] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise AnnotationError(
                path, reader.line_num, f'not a CSV row ({e})'
            ) from None
        lineno = reader.line_num
        if not ''.join(_cells(row)).strip():
            continue  # a blank line (spaces, tabs, empty cells)
        _merge_row(videos, _row(row, path, lineno), first_lines, lineno, path)
    return videos


def read_msad_split(path: str) -> List[str]:
    """Video ids of an MSAD split list: one name, video path or feature
    path per line (``MSAD_I3D_WS_Test.list``, ``msad-i3d-test.list``;
    ``#`` starts a comment line)."""
    names: Dict[str, int] = OrderedDict()
    for lineno, line in iter_lines(path):
        if line.lstrip().startswith('#'):
            continue
        name = msad_video_name(line.strip())
        if not name:
            raise AnnotationError(
                path, lineno, f'{line.strip()!r} names no video', line
            )
        first_occurrence(names, name, path, lineno, line, ALREADY_LISTED)
    return list(names)
