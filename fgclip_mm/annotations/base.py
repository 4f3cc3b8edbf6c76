"""Shared pieces of every annotation reader: the one error class, video ids
and text-file iteration.

Every reader in :mod:`fgclip_mm.annotations` returns plain Python containers
and raises :class:`AnnotationError` naming the file and the 1-based line (or
the entry) of a malformed record, so a broken file is reported where it is
broken and never turned into silently wrong labels.
"""

import gzip
import os.path as osp
from typing import Iterator, Optional, TextIO, Tuple

__all__ = [
    'AnnotationError',
    'REASON_CODES',
    'VIDEO_EXTENSIONS',
    'video_stem',
    'open_text',
    'iter_lines',
    'to_int',
]

#: Extensions removed from video names by :func:`video_stem`. Only these
#: are stripped: XD-Violence names contain dots (``Bad.Boys.1995__#...``).
VIDEO_EXTENSIONS = (
    '.mp4',
    '.avi',
    '.mkv',
    '.webm',
    '.mov',
    '.mpg',
    '.mpeg',
    '.m4v',
    '.wmv',
    '.flv',
    '.npy',
)

#: Machine-readable reasons of :class:`AnnotationError` (its :attr:`code`),
#: so that entries can be counted by reason without parsing messages.
REASON_CODES = {
    'bad_file': 'the file is not a JSON list of entries',
    'not_an_object': 'the entry is not a JSON object',
    'bad_video': "field 'video' is missing or not a non-empty string",
    'missing_caption': "field 'global_caption' is missing",
    'bad_field': 'a field has the wrong type',
    'bad_keyframe': 'a keyframe lacks frame/bbox, has a bad frame index or '
    'box, or repeats a frame',
    'box_out_of_range': 'a box is outside [0, 1] by more than the tolerance',
    'count_mismatch': "the numbers of 'box_infos' tracks and "
    "'region_captions' differ",
    'empty_caption': 'a region with keyframes has an empty caption',
    'bad_timestamps': "field 'timestamps' is not null or [start, end]",
    'unknown_class': 'the class is missing or not one of the classes',
    'bad_intervals': "test mode: bad 'anomaly_intervals'",
    'missing_intervals': 'test mode: an anomalous video without intervals',
    'bad_total_frames': "test mode: bad 'total_frames'",
    'unmapped_prefix': 'the video path matches no prefix of path_map',
    'video_not_found': 'the video file is not found',
    'ambiguous_video': "the video's file name matches several files",
}


class AnnotationError(ValueError):
    """A malformed annotation file or entry.

    The one error class of every annotation reader in fgclip_mm. Two forms:

    * ``AnnotationError(message)``: a complete message (the dataset names
      the file, the entry and the field itself);
    * ``AnnotationError(path, lineno, reason, line=None)``: the message is
      ``'PATH:LINE: reason (line N: 'text')'``; :attr:`path` and
      :attr:`lineno` are set.

    :attr:`code` is one of :data:`REASON_CODES` (or None): what is wrong,
    for counting entries by reason (``invalid_entries='skip'``).
    """

    def __init__(
        self,
        path: str,
        lineno: Optional[int] = None,
        reason: Optional[str] = None,
        line: Optional[str] = None,
        code: Optional[str] = None,
    ) -> None:
        if code is not None and code not in REASON_CODES:
            raise ValueError(f'unknown reason code {code!r}')
        self.code = code
        if reason is None and lineno is None and line is None:
            # A complete message; also how a pickled error is rebuilt.
            super().__init__(path)
            self.path = None
            self.lineno = None
            return
        where = f'{path}:{lineno}' if lineno is not None else str(path)
        msg = f'{where}: {reason}'
        if line is not None:
            msg += f' (line {lineno}: {line.strip()!r})'
        super().__init__(msg)
        self.path = path
        self.lineno = lineno

    def __reduce__(self):
        # keep the code, file and line through pickling (dataloader workers)
        return (
            type(self),
            (str(self),),
            dict(code=self.code, path=self.path, lineno=self.lineno),
        )


def video_stem(name: str) -> str:
    """The video id of a file name or path.

    Args:
        name (str): A video file name, path or id, e.g.
            ``'a/b/Abuse028_x264.mp4'``.

    Returns:
        str: The base name without a known video extension, e.g.
        ``'Abuse028_x264'``. Names without a known extension keep their dots
        (``'Bad.Boys.1995__#01'``).
    """
    base = osp.basename(str(name).strip().replace('\\', '/'))
    stem, ext = osp.splitext(base)
    return stem if ext.lower() in VIDEO_EXTENSIONS else base


def open_text(path: str) -> TextIO:
    """Open a text annotation file (``.gz`` allowed; a UTF-8 BOM is
    dropped)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    if path.endswith('.gz'):
        return gzip.open(path, 'rt', encoding='utf-8-sig')
    return open(path, encoding='utf-8-sig')


def iter_lines(path: str) -> Iterator[Tuple[int, str]]:
    """Yield ``(lineno, line)`` of the non-blank lines of a text file."""
    with open_text(path) as f:
        for lineno, line in enumerate(f, start=1):
            if line.strip():
                yield lineno, line


def to_int(path: str, lineno: int, line: str, token: str, what: str) -> int:
    """``int(token)``, or an :class:`AnnotationError` naming the line."""
    try:
        return int(token)
    except ValueError:
        raise AnnotationError(
            path, lineno, f'{what} must be an integer, got {token!r}', line
        ) from None
