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

__all__ = ['AnnotationError', 'VIDEO_EXTENSIONS', 'video_stem', 'open_text',
           'iter_lines', 'to_int']

#: Extensions removed from video names by :func:`video_stem`. Only these
#: are stripped: XD-Violence names contain dots (``Bad.Boys.1995__#...``).
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.mpg', '.mpeg',
                    '.m4v', '.wmv', '.flv', '.npy')


class AnnotationError(ValueError):
    """A malformed annotation file or entry.

    The one error class of every annotation reader in fgclip_mm. Two forms:

    * ``AnnotationError(message)``: a complete message (the dataset names
      the file, the entry and the field itself);
    * ``AnnotationError(path, lineno, reason, line=None)``: the message is
      ``'PATH:LINE: reason (line N: 'text')'``; :attr:`path` and
      :attr:`lineno` are set.
    """

    def __init__(self,
                 path: str,
                 lineno: Optional[int] = None,
                 reason: Optional[str] = None,
                 line: Optional[str] = None) -> None:
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
        raise AnnotationError(path, lineno,
                              f'{what} must be an integer, got {token!r}',
                              line) from None
