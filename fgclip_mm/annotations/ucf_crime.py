"""The UCF-Crime test annotation text format, read and written by one
implementation: the metric tools, the datasets and the converters (which
write XD-Violence and ShanghaiTech in the same format) all use it.

Intervals are returned exactly as written, as ``(start, end)`` frame
numbers; how they map to frames (half-open ``[start, end)``, the community's
convention, or inclusive) is decided by the ground-truth builder.
"""

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .base import (
    ANNOTATED_TWICE,
    AnnotationError,
    first_occurrence,
    iter_lines,
    to_int,
    video_id_of,
)

__all__ = [
    'parse_intervals',
    'read_ucf_annotation_lines',
    'parse_ucf_crime_annotations',
    'parse_ucf_test_annotations',
    'format_ucf_line',
]

Interval = Tuple[int, int]


def parse_intervals(
    path: str,
    lineno: int,
    line: str,
    values: Sequence[int],
    num_frames: Optional[int] = None,
) -> List[Interval]:
    """Group ``[s1, e1, s2, e2, ...]`` into intervals, drop ``-1 -1``.

    Every kept interval must satisfy ``0 <= start < end`` (read half-open, an
    interval with ``end == start`` marks no frame: an error rather than an
    event that silently vanishes) and, when the line gives the video's frame
    count, ``start < num_frames``. An end past the frame count is kept as
    written (the official UCF-Crime file has five that overshoot by 1-2
    frames); consumers clip it.
    """
    intervals = []
    for start, end in zip(values[0::2], values[1::2]):
        if start == -1 and end == -1:
            continue
        if start < 0 or end < 0:
            raise AnnotationError(
                path,
                lineno,
                f'interval ({start}, {end}) has a negative frame number '
                '(only the pair -1 -1 means "no event")',
                line,
            )
        if end < start:
            raise AnnotationError(
                path,
                lineno,
                f'interval ({start}, {end}) ends before it starts',
                line,
            )
        if end == start:
            raise AnnotationError(
                path,
                lineno,
                f'interval ({start}, {end}) is empty: intervals '
                'are half-open [start, end), so end must be > start',
                line,
            )
        if num_frames is not None and start >= num_frames:
            raise AnnotationError(
                path,
                lineno,
                f'interval ({start}, {end}) starts at or after '
                f'the end of the video ({num_frames} frames)',
                line,
            )
        intervals.append((start, end))
    return intervals


def _parse_ucf_line(
    path: str, lineno: int, line: str, max_events: Optional[int]
) -> dict:
    """One line of the UCF-Crime format (see
    :func:`read_ucf_annotation_lines`)."""
    tokens = line.split()
    if len(tokens) < 4:
        raise AnnotationError(
            path,
            lineno,
            'expected "name class start end [start end] '
            f'[num_frames]", got {len(tokens)} fields',
            line,
        )
    numbers = [
        to_int(path, lineno, line, t, 'frame number') for t in tokens[2:]
    ]
    num_frames = numbers.pop() if len(numbers) % 2 == 1 else None
    if num_frames is not None and num_frames <= 0:
        raise AnnotationError(
            path,
            lineno,
            f'frame count must be positive, got {num_frames}',
            line,
        )
    if max_events is not None and len(numbers) > 2 * max_events:
        count = {1: 'one', 2: 'two'}.get(max_events, str(max_events))
        raise AnnotationError(
            path,
            lineno,
            f'expected at most {count} events, got {len(numbers) // 2}',
            line,
        )
    return dict(
        name=tokens[0],
        video=video_id_of(path, lineno, line, tokens[0]),
        class_name=tokens[1],
        intervals=parse_intervals(path, lineno, line, numbers, num_frames),
        num_frames=num_frames,
        line=lineno,
    )


def read_ucf_annotation_lines(
    path: str, max_events: Optional[int] = 2
) -> List[dict]:
    """Parse a test annotation file in the UCF-Crime text format.

    The one parser of this format, behind
    :func:`parse_ucf_crime_annotations` (the metric tools) and
    :func:`parse_ucf_test_annotations` (the
    dataset and the converters).

    Line format (fields separated by any whitespace, CRLF tolerated, blank
    lines and lines starting with ``#`` skipped)::

        Abuse028_x264.mp4  Abuse  165  240  -1  -1
        Arson011_x264.mp4  Arson  150  420  680  1267
        Normal_Videos_003_x264.mp4  Normal  -1  -1  -1  -1

    After the name and the class come the frame numbers of the events as
    ``start end`` pairs; ``-1 -1`` means "no event". An odd number of
    trailing integers means the last one is the video's frame count, as in
    ``test_annotations_with_frame_counts.txt``. Frame numbers must be
    integers (``'12.5'`` is an error, never truncated); each event must
    satisfy ``0 <= start < end`` and start before the frame count when the
    line has one; a video may appear once.

    Args:
        path (str): The annotation file (``.gz`` allowed).
        max_events (int, optional): Most ``start end`` slots per line: 2 for
            the official UCF-Crime files (default), None for any number (the
            files our converters write for XD-Violence and ShanghaiTech).

    Returns:
        list[dict]: Per annotated video, in file order: ``name`` (as
        written), ``video`` (its id, see :func:`video_stem`), ``class_name``,
        ``intervals`` (list of ``(start, end)``; empty for normal videos),
        ``num_frames`` (int or None) and ``line`` (1-based line number).
    """
    records: List[dict] = []
    seen: Dict[str, int] = {}
    for lineno, line in iter_lines(path):
        if line.lstrip().startswith('#'):
            continue
        record = _parse_ucf_line(path, lineno, line, max_events)
        first_occurrence(
            seen, record['video'], path, lineno, line, ANNOTATED_TWICE
        )
        records.append(record)
    return records


def parse_ucf_crime_annotations(
    path: str, max_events: Optional[int] = 2
) -> Dict[str, dict]:
    """Parse UCF-Crime's temporal test annotation file.

    ``Temporal_Anomaly_Annotation_for_Testing_Videos.txt`` or
    ``test_annotations_with_frame_counts.txt``; the format and its checks are
    those of :func:`read_ucf_annotation_lines`.

    Args:
        path (str): The annotation file.
        max_events (int, optional): See :func:`read_ucf_annotation_lines`.
            Defaults to 2 (the official format).

    Returns:
        dict[str, dict]: Video id (``.mp4`` stripped) to
        ``dict(class_name=str, intervals=list[tuple[int, int]],
        num_frames=int | None)``, in file order. ``intervals`` is empty for
        normal videos.
    """
    return {
        r['video']: dict(
            class_name=r['class_name'],
            intervals=r['intervals'],
            num_frames=r['num_frames'],
        )
        for r in read_ucf_annotation_lines(path, max_events)
    }


def parse_ucf_test_annotations(
    path: str, max_events: Optional[int] = None
) -> List[dict]:
    """Read a test annotation file in the UCF-Crime text format.

    The format and its checks are those of
    :func:`read_ucf_annotation_lines` (the
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
            anomaly_intervals=np.asarray(
                r['intervals'], dtype=np.int64
            ).reshape(-1, 2),
            total_frames=r['num_frames'],
            line=r['line'],
        )
        for r in read_ucf_annotation_lines(path, max_events)
    ]


def format_ucf_line(
    name: str,
    class_name: str,
    intervals: np.ndarray,
    total_frames: Optional[int] = None,
) -> str:
    """One line of the UCF-Crime test annotation format (at least two interval
    slots, ``-1 -1`` for unused ones; the frame count last when given)."""
    pairs = [int(v) for iv in np.asarray(intervals).reshape(-1, 2) for v in iv]
    pairs += [-1] * max(0, 4 - len(pairs))
    fields = [name, class_name] + [str(v) for v in pairs]
    if total_frames is not None:
        fields.append(str(int(total_frames)))
    return '  '.join(fields)
