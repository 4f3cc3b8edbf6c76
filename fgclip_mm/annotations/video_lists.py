"""Readers of per-video lists: split / order lists, length and frame-count
files, and exclude lists."""

import os.path as osp
import re
from typing import Any, Dict, List, Set

from .base import (
    ALREADY_LISTED,
    AnnotationError,
    first_occurrence,
    iter_lines,
    to_int,
    video_id_of,
    video_stem,
)
from .fgclip_json import load_json_entries

__all__ = ['read_video_list', 'read_lengths', 'load_video_names']

#: First fields that mark a header line in :func:`read_video_list` with
#: ``first_field=True``.
_HEADER_FIELDS = ('video', 'name', 'filename')


def read_video_list(path: str, first_field: bool = False) -> List[str]:
    """Read a list of video names, one per line.

    Blank lines are skipped, surrounding whitespace, folders and a known
    video extension are removed. Duplicates are an error.

    Args:
        path (str): A text file such as UCF-Crime's ``test_order.txt`` or
            XD-Violence's ``test_list.txt`` (``.gz`` allowed).
        first_field (bool): Take the first whitespace- or comma-separated
            field of each line, so that files with more columns can serve as
            lists (a UCF-format annotation, a CSV ``video,length``); lines
            starting with ``#`` are comments and a first line whose first
            field is ``video``, ``name`` or ``filename`` is a header. When
            False (default) each line must hold exactly one name.

    Returns:
        list[str]: Video ids in file order.
    """
    videos: List[str] = []
    seen: Dict[str, int] = {}
    first = True
    for lineno, line in iter_lines(path):
        if first_field:
            if line.lstrip().startswith('#'):
                continue
            name = re.split(r'[\s,]+', line.strip())[0]
            is_first, first = first, False
            if is_first and name.lower() in _HEADER_FIELDS:
                continue
        else:
            tokens = line.split()
            if len(tokens) != 1:
                raise AnnotationError(
                    path, lineno, 'expected one video name per line', line
                )
            name = tokens[0]
        video = video_id_of(path, lineno, line, name)
        first_occurrence(seen, video, path, lineno, line, ALREADY_LISTED)
        videos.append(video)
    return videos


def read_lengths(path: str) -> Dict[str, int]:
    """Read per-video lengths (frame counts or label lengths).

    Accepts any text file whose lines start with the video name and end with
    an integer, separated by commas and/or whitespace. A first line whose
    last field is not an integer is a header and is skipped. This reads

    - CSV files ``video,label_frames`` such as ``test_snippet16_lengths.csv``;
    - ``name count`` frame-count files;
    - UCF-Crime's ``test_annotations_with_frame_counts.txt``
      (``name class s1 e1 s2 e2 num_frames``).

    Args:
        path (str): The lengths file (``.gz`` allowed).

    Returns:
        dict[str, int]: Video id (folders and extension stripped) to length,
        in file order.
    """
    lengths: Dict[str, int] = {}
    seen: Dict[str, int] = {}
    first = True
    for lineno, line in iter_lines(path):
        tokens = [t for t in re.split(r'[,\s]+', line.strip()) if t]
        is_first, first = first, False
        if len(tokens) < 2:
            raise AnnotationError(
                path, lineno, 'expected "video,length" on each line', line
            )
        if is_first and not tokens[-1].lstrip('+-').isdigit():
            continue  # a header ('length'); '99...9' is an error below
        length = to_int(path, lineno, line, tokens[-1], 'length')
        if length < 0:
            raise AnnotationError(
                path, lineno, f'negative length {length}', line
            )
        video = video_id_of(path, lineno, line, tokens[0])
        first_occurrence(seen, video, path, lineno, line)
        lengths[video] = length
    return lengths


def load_video_names(path: str) -> Set[str]:
    """Video stems listed in a file (the dataset's ``exclude_file``): the
    ``video`` values of an FG-CLIP JSON (``.json``/``.json.gz``), else the
    first field of each line of a text file -- a plain list, a UCF-format
    annotation or a CSV with the name first (read by
    :func:`read_video_list` with
    ``first_field=True``: ``#`` comments and a header line are skipped, a
    name listed twice is an error)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Video list file not found: {path}')
    if path.endswith(('.json', '.json.gz')):
        return {
            _json_video(e, f'{path}: entry {i}')
            for i, e in enumerate(load_json_entries(path))
        }
    return set(read_video_list(path, first_field=True))


def _json_video(entry: Any, where: str) -> str:
    """The video id of an entry of a JSON video list: an object with a
    ``video`` string, or the string itself."""
    name = entry.get('video') if isinstance(entry, dict) else entry
    video = video_stem(name) if isinstance(name, str) else ''
    if not video:
        raise AnnotationError(
            f"{where}: expected an object with a 'video' name or a name, "
            f'got {repr(entry)[:80]}',
            code='bad_video',
        )
    return video
