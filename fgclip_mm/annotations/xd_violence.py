"""XD-Violence's ``annotations.txt`` and the labels coded in its video
names (Wu et al., ECCV 2020)."""

import re
from typing import Dict, List, Tuple

from .base import (
    ANNOTATED_TWICE,
    AnnotationError,
    first_occurrence,
    iter_lines,
    to_int,
    video_id_of,
    video_stem,
)
from .ucf_crime import parse_intervals

__all__ = [
    'is_xd_violence_normal',
    'xd_violence_labels',
    'parse_xd_violence_annotations',
]

Interval = Tuple[int, int]


def is_xd_violence_normal(video: str) -> bool:
    """Whether an XD-Violence video is normal.

    XD-Violence encodes the labels in the name (``..._label_B2-G-0``);
    ``label_A`` means no violence.

    Args:
        video (str): Video id or file name.

    Returns:
        bool: True for normal (``label_A``) videos.
    """
    return xd_violence_labels(video)[:1] == ['A']


def xd_violence_labels(video: str) -> List[str]:
    """Label codes encoded in an XD-Violence video name.

    Args:
        video (str): Video id, e.g.
            ``'Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6'``.

    Returns:
        list[str]: The codes in name order without the ``0`` placeholders,
        e.g. ``['G', 'B2', 'B6']``; ``['A']`` for normal videos; empty if
        the name carries no ``_label_`` part.
    """
    match = re.search(r'_label_([^_/\\]*)$', video_stem(video))
    if match is None:
        return []
    return [c for c in match.group(1).split('-') if c and c != '0']


def parse_xd_violence_annotations(path: str) -> Dict[str, List[Interval]]:
    """Parse XD-Violence's ``annotations.txt``.

    Line format: the video name followed by a variable number of
    ``start end`` frame pairs, whitespace separated::

        v=S-7rRLrxnVQ__#1_label_B4-0-0 0 1517 1970 3038

    Some names carry a stray ``.mp4`` suffix; it is removed. The file lists
    only violent videos; normal ones (``label_A``) are absent.

    Args:
        path (str): The annotation file.

    Returns:
        dict[str, list[tuple[int, int]]]: Video id to its intervals, in file
        order.
    """
    videos: Dict[str, List[Interval]] = {}
    seen: Dict[str, int] = {}
    for lineno, line in iter_lines(path):
        tokens = line.split()
        numbers = [
            to_int(path, lineno, line, t, 'frame number') for t in tokens[1:]
        ]
        if not numbers or len(numbers) % 2:
            raise AnnotationError(
                path,
                lineno,
                f'expected a name and start/end pairs, got {len(numbers)} '
                'numbers',
                line,
            )
        video = video_id_of(path, lineno, line, tokens[0])
        first_occurrence(seen, video, path, lineno, line, ANNOTATED_TWICE)
        if is_xd_violence_normal(video):
            raise AnnotationError(
                path,
                lineno,
                f'normal (label_A) video {video!r} has violence intervals',
                line,
            )
        videos[video] = parse_intervals(path, lineno, line, numbers)
    return videos
