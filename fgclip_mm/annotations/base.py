"""Shared pieces of every annotation reader: the one error class, video ids
and text-file reading.

Every reader in :mod:`fgclip_mm.annotations` returns plain Python containers
and raises :class:`AnnotationError` naming the file and the 1-based line (or
the entry) of a malformed record, so a broken file is reported where it is
broken and never turned into silently wrong labels. Whatever bytes a file
holds, a reader returns valid records or raises :class:`AnnotationError`
(``tests/annotations/test_fuzz_*.py`` feed them arbitrary bytes).

Text files are read as UTF-8 (a byte-order mark is dropped); ``\\r\\n`` and
``\\r`` end lines as ``\\n`` does; gzip-compressed files are recognised by
their content, whatever their name.
"""

import gzip
import io
import os.path as osp
import re
import zlib
from typing import Dict, Iterator, List, Optional, TextIO, Tuple

__all__ = [
    'AnnotationError',
    'REASON_CODES',
    'VIDEO_EXTENSIONS',
    'MAX_INT',
    'video_stem',
    'read_text',
    'read_lines',
    'open_text',
    'iter_lines',
    'parse_int',
    'to_int',
    'video_id_of',
    'first_occurrence',
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

#: Largest integer a reader accepts (frame numbers and counts end up in
#: int64 arrays).
MAX_INT = 2**63 - 1

#: Machine-readable reasons of :class:`AnnotationError` (its :attr:`code`),
#: so that entries can be counted by reason without parsing messages.
REASON_CODES = {
    'bad_file': 'the file is unreadable (not UTF-8, a broken gzip stream) '
    'or not a JSON list of entries',
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
    'duplicate_entry': 'the entry repeats an earlier entry exactly',
    'duplicate_video': 'test mode: a video annotated twice',
}

_GZIP_MAGIC = b'\x1f\x8b'
_UTF16_BOMS = (b'\xff\xfe', b'\xfe\xff')
_INT = re.compile(r'[+-]?[0-9]+')


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
            msg += f' (line {lineno}: {_shorten(line.strip())!r})'
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


def _shorten(text: str, limit: int = 200) -> str:
    """``text``, cut to ``limit`` characters for an error message."""
    return text if len(text) <= limit else text[:limit] + '...'


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


def video_id_of(path: str, lineno: int, line: str, name: str) -> str:
    """:func:`video_stem` of a name read from a line, or an
    :class:`AnnotationError` naming the line when nothing is left of it
    (``'clips/'``)."""
    video = video_stem(name)
    if not video:
        raise AnnotationError(
            path, lineno, f'{name!r} names no video (an empty file name)', line
        )
    return video


#: :func:`first_occurrence` messages of the temporal annotations (UCF-Crime,
#: XD-Violence) and of plain name lists (video lists, MSAD splits).
ANNOTATED_TWICE = 'is annotated twice (first on line {first})'
ALREADY_LISTED = 'already listed on line {first}'


def first_occurrence(
    seen: Dict[str, int],
    video: str,
    path: str,
    lineno: int,
    line: str,
    repeat: str = 'is listed twice (first on line {first})',
) -> None:
    """Remember the line that names ``video`` first; a second line naming it
    is an :class:`AnnotationError` that names both lines.

    Args:
        seen (dict[str, int]): Video -> line of its first occurrence, updated.
        video (str): The video the line names.
        path (str): The annotation file.
        lineno (int): 1-based line number.
        line (str): The line, quoted in the error.
        repeat (str): The message after ``video 'NAME' ``; ``{first}`` is the
            first line.
    """
    if video in seen:
        message = f'video {video!r} ' + repeat.format(first=seen[video])
        raise AnnotationError(path, lineno, message, line)
    seen[video] = lineno


def _read_bytes(path: str, code: Optional[str] = None) -> bytes:
    """The bytes of a file, gunzipped when they are gzip-compressed."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    with open(path, 'rb') as f:
        data = f.read()
    if data.startswith(_GZIP_MAGIC):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise AnnotationError(
                path,
                None,
                f'not a readable gzip file ({type(e).__name__}: {e}; a '
                'truncated download?)',
                code=code,
            ) from None
    if path.endswith('.gz'):
        raise AnnotationError(
            path,
            None,
            'named .gz but not gzip-compressed (rename it or compress it)',
            code=code,
        )
    if data.startswith(_UTF16_BOMS):
        raise AnnotationError(
            path,
            1,
            'UTF-16 text (it starts with a UTF-16 byte-order mark); save '
            'the file as UTF-8',
            code=code,
        )
    return data


def _decode(path: str, lineno: int, raw: bytes, code: Optional[str]) -> str:
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError as e:
        raise AnnotationError(
            path,
            lineno,
            f'not UTF-8 text: byte 0x{raw[e.start]:02x} at column '
            f'{e.start + 1} (save the file as UTF-8)',
            raw.decode('utf-8', 'backslashreplace'),
            code=code,
        ) from None


def _iter_decoded(
    path: str, code: Optional[str] = None
) -> Iterator[Tuple[int, str]]:
    data = _read_bytes(path, code)
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    lines = data.replace(b'\r\n', b'\n').replace(b'\r', b'\n').split(b'\n')
    if lines[-1] == b'':
        lines.pop()  # the file ends with a line break
    for lineno, raw in enumerate(lines, start=1):
        yield lineno, _decode(path, lineno, raw, code)


def read_lines(path: str, code: Optional[str] = None) -> List[str]:
    """The lines of a text file, without their line breaks.

    Args:
        path (str): A UTF-8 text file, optionally gzip-compressed (found by
            its content; a name ending in ``.gz`` must be compressed). A
            byte-order mark is dropped; ``\\r\\n``, ``\\r`` and ``\\n`` end
            lines.
        code (str, optional): :attr:`AnnotationError.code` of the errors.

    Returns:
        list[str]: Line ``i`` of the file (1-based) at index ``i - 1``.

    Raises:
        AnnotationError: for bytes that are not UTF-8 (naming the line and
            the column), UTF-16 text or a broken gzip stream.
        FileNotFoundError: when there is no such file.
    """
    return [line for _, line in _iter_decoded(path, code)]


def read_text(path: str, code: Optional[str] = None) -> str:
    """The text of a file as :func:`read_lines` reads it, lines joined by
    ``'\\n'``."""
    return ''.join(line + '\n' for line in read_lines(path, code))


def open_text(path: str) -> TextIO:
    """A text annotation file opened for reading, as :func:`read_text`
    reads it (``.gz`` allowed; a UTF-8 BOM is dropped; bytes that are not
    UTF-8 are an :class:`AnnotationError` naming the line)."""
    return io.StringIO(read_text(path))


def iter_lines(path: str) -> Iterator[Tuple[int, str]]:
    """Yield ``(lineno, line)`` of the non-blank lines of a text file.

    Lines are decoded one by one, so an earlier line's error is raised
    first; see :func:`read_lines` for the encoding rules.
    """
    for lineno, line in _iter_decoded(path):
        if line.strip():
            yield lineno, line


def parse_int(token: str) -> Optional[int]:
    """``token`` as an integer, or None: ASCII digits with an optional
    sign, within ``[-MAX_INT, MAX_INT]`` (no ``'1_000'``, ``'1.0'``,
    ``'٣'``, surrounding blanks or 20-digit numbers)."""
    if not _INT.fullmatch(token) or len(token.lstrip('+-0')) > 19:
        return None
    value = int(token)
    return value if -MAX_INT <= value <= MAX_INT else None


def to_int(path: str, lineno: int, line: str, token: str, what: str) -> int:
    """:func:`parse_int` of a token, or an :class:`AnnotationError` naming
    the line."""
    value = parse_int(token)
    if value is not None:
        return value
    if _INT.fullmatch(token):
        reason = f'{what} {_shorten(token, 40)} is out of range (> 2**63 - 1)'
    else:
        reason = f'{what} must be an integer, got {_shorten(token, 40)!r}'
    raise AnnotationError(path, lineno, reason, line)
