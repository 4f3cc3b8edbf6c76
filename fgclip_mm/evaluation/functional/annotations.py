"""Parsers of the VAD annotation files: the single implementation used by
the metric, the ground-truth tools, :class:`TimestampSegmentDataset` and the
data converters.

Every parser returns plain Python containers (``dict``/``list`` of ``str``,
``int`` and ``tuple``) and raises :class:`AnnotationError` naming the file
and the 1-based line number for a malformed line, so that a broken file is
reported where it is broken and never turned into silently wrong labels.

Intervals are returned exactly as written in the file, as ``(start, end)``
frame numbers. How they map to frames (half-open ``[start, end)``, the
community's convention, or inclusive) is decided by
:func:`~fgclip_mm.evaluation.functional.intervals_to_labels`.
"""
import glob
import gzip
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    'AnnotationError', 'video_stem', 'read_video_list', 'read_lengths',
    'read_ucf_annotation_lines', 'parse_ucf_crime_annotations',
    'parse_xd_violence_annotations', 'is_xd_violence_normal',
    'parse_shanghaitech_split', 'load_shanghaitech_masks'
]

Interval = Tuple[int, int]

#: Extensions removed from video names by :func:`video_stem`. Only these
#: are stripped: XD-Violence names contain dots (``Bad.Boys.1995__#...``).
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.mpg', '.mpeg',
                    '.m4v', '.wmv', '.flv', '.npy')

#: First fields that mark a header line in :func:`read_video_list` with
#: ``first_field=True``.
_HEADER_FIELDS = ('video', 'name', 'filename')


class AnnotationError(ValueError):
    """A malformed annotation file or entry.

    The one error class of every annotation parser in fgclip_mm (the
    dataset's JSON checks re-export it). Two forms:

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


def _open_text(path: str):
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    if path.endswith('.gz'):
        return gzip.open(path, 'rt', encoding='utf-8')
    return open(path, encoding='utf-8')


def _iter_lines(path: str):
    """Yield ``(lineno, line)`` of the non-blank lines of a text file."""
    with _open_text(path) as f:
        for lineno, line in enumerate(f, start=1):
            if line.strip():
                yield lineno, line


def _to_int(path: str, lineno: int, line: str, token: str, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise AnnotationError(path, lineno,
                              f'{what} must be an integer, got {token!r}',
                              line) from None


def _pairs(path: str,
           lineno: int,
           line: str,
           values: Sequence[int],
           num_frames: Optional[int] = None) -> List[Interval]:
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
                path, lineno,
                f'interval ({start}, {end}) has a negative frame number '
                '(only the pair -1 -1 means "no event")', line)
        if end < start:
            raise AnnotationError(
                path, lineno, f'interval ({start}, {end}) ends before it '
                'starts', line)
        if end == start:
            raise AnnotationError(
                path, lineno, f'interval ({start}, {end}) is empty: intervals '
                'are half-open [start, end), so end must be > start', line)
        if num_frames is not None and start >= num_frames:
            raise AnnotationError(
                path, lineno, f'interval ({start}, {end}) starts at or after '
                f'the end of the video ({num_frames} frames)', line)
        intervals.append((start, end))
    return intervals


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
    for lineno, line in _iter_lines(path):
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
                raise AnnotationError(path, lineno,
                                      'expected one video name per line', line)
            name = tokens[0]
        video = video_stem(name)
        if video in seen:
            raise AnnotationError(
                path, lineno,
                f'video {video!r} already listed on line {seen[video]}', line)
        seen[video] = lineno
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
    first = True
    for lineno, line in _iter_lines(path):
        tokens = [t for t in re.split(r'[,\s]+', line.strip()) if t]
        is_first, first = first, False
        if len(tokens) < 2:
            raise AnnotationError(path, lineno,
                                  'expected "video,length" on each line', line)
        try:
            length = int(tokens[-1])
        except ValueError:
            if is_first:
                continue  # header
            raise AnnotationError(
                path, lineno, f'length must be an integer, got {tokens[-1]!r}',
                line) from None
        if length < 0:
            raise AnnotationError(path, lineno, f'negative length {length}',
                                  line)
        video = video_stem(tokens[0])
        if video in lengths:
            raise AnnotationError(path, lineno,
                                  f'video {video!r} is listed twice', line)
        lengths[video] = length
    return lengths


def read_ucf_annotation_lines(path: str,
                              max_events: Optional[int] = 2) -> List[dict]:
    """Parse a test annotation file in the UCF-Crime text format.

    The one parser of this format, behind
    :func:`parse_ucf_crime_annotations` (the metric tools) and
    :func:`fgclip_mm.datasets.annotations.parse_ucf_test_annotations` (the
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
    for lineno, line in _iter_lines(path):
        tokens = line.split()
        if tokens[0].startswith('#'):
            continue
        if len(tokens) < 4:
            raise AnnotationError(
                path, lineno, 'expected "name class start end [start end] '
                f'[num_frames]", got {len(tokens)} fields', line)
        name, class_name = tokens[0], tokens[1]
        numbers = [
            _to_int(path, lineno, line, t, 'frame number') for t in tokens[2:]
        ]
        num_frames = None
        if len(numbers) % 2 == 1:
            num_frames = numbers.pop()
            if num_frames <= 0:
                raise AnnotationError(
                    path, lineno, f'frame count must be positive, got '
                    f'{num_frames}', line)
        if max_events is not None and len(numbers) > 2 * max_events:
            count = {1: 'one', 2: 'two'}.get(max_events, str(max_events))
            raise AnnotationError(
                path, lineno, f'expected at most {count} events, got '
                f'{len(numbers) // 2}', line)
        video = video_stem(name)
        if video in seen:
            raise AnnotationError(
                path, lineno, f'video {video!r} is annotated twice (first on '
                f'line {seen[video]})', line)
        seen[video] = lineno
        records.append(
            dict(
                name=name,
                video=video,
                class_name=class_name,
                intervals=_pairs(path, lineno, line, numbers, num_frames),
                num_frames=num_frames,
                line=lineno))
    return records


def parse_ucf_crime_annotations(path: str,
                                max_events: Optional[int] = 2
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
        r['video']:
        dict(
            class_name=r['class_name'],
            intervals=r['intervals'],
            num_frames=r['num_frames'])
        for r in read_ucf_annotation_lines(path, max_events)
    }


def is_xd_violence_normal(video: str) -> bool:
    """Whether an XD-Violence video is normal.

    XD-Violence encodes the labels in the name (``..._label_B2-G-0``);
    ``label_A`` means no violence.

    Args:
        video (str): Video id or file name.

    Returns:
        bool: True for normal (``label_A``) videos.
    """
    match = re.search(r'_label_([^_/\\]*)$', video_stem(video))
    if match is None:
        return False
    return match.group(1).split('-')[0] == 'A'


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
    for lineno, line in _iter_lines(path):
        tokens = line.split()
        numbers = [
            _to_int(path, lineno, line, t, 'frame number') for t in tokens[1:]
        ]
        if not numbers or len(numbers) % 2:
            raise AnnotationError(
                path, lineno,
                f'expected a name and start/end pairs, got {len(numbers)} '
                'numbers', line)
        video = video_stem(tokens[0])
        if video in videos:
            raise AnnotationError(path, lineno,
                                  f'video {video!r} is annotated twice', line)
        if is_xd_violence_normal(video):
            raise AnnotationError(
                path, lineno, f'normal (label_A) video {video!r} has '
                'violence intervals', line)
        videos[video] = _pairs(path, lineno, line, numbers)
    return videos


def parse_shanghaitech_split(path: str) -> List[dict]:
    """Parse a ShanghaiTech weakly supervised split list.

    Lines are ``name,label`` (``SH_Train_new.txt``) or
    ``name,label,num_frames`` (``SH_Test_NEW.txt``), with ``label`` 1 for an
    anomalous and 0 for a normal video. ``num_frames`` is ``-1`` where the
    frame count comes from the video's frame mask (anomalous test videos).

    Args:
        path (str): The split file.

    Returns:
        list[dict]: ``dict(video=str, is_anomaly=bool, num_frames=int |
        None)`` per line, in file order.
    """
    entries: List[dict] = []
    seen = set()
    for lineno, line in _iter_lines(path):
        tokens = [t.strip() for t in line.strip().split(',')]
        if len(tokens) not in (2, 3) or not tokens[0]:
            raise AnnotationError(path, lineno,
                                  'expected "name,label[,num_frames]"', line)
        label = _to_int(path, lineno, line, tokens[1], 'label')
        if label not in (0, 1):
            raise AnnotationError(path, lineno,
                                  f'label must be 0 or 1, got {label}', line)
        num_frames = None
        if len(tokens) == 3:
            num_frames = _to_int(path, lineno, line, tokens[2], 'frame count')
            if num_frames == -1:
                num_frames = None
            elif num_frames <= 0:
                raise AnnotationError(
                    path, lineno,
                    f'frame count must be positive or -1, got {num_frames}',
                    line)
        video = video_stem(tokens[0])
        if video in seen:
            raise AnnotationError(path, lineno,
                                  f'video {video!r} is listed twice', line)
        seen.add(video)
        entries.append(
            dict(video=video, is_anomaly=bool(label), num_frames=num_frames))
    return entries


def load_shanghaitech_masks(
        mask_dir: str,
        videos: Optional[Sequence[str]] = None) -> Dict[str, np.ndarray]:
    """Load ShanghaiTech frame masks (``test_frame_mask/<video>.npy``).

    Args:
        mask_dir (str): Directory of per-video ``.npy`` masks, each of shape
            ``(num_frames,)`` with 1 on anomalous frames.
        videos (Sequence[str], optional): Load only these videos (a missing
            one is an error). Defaults to every ``.npy`` file in the folder.

    Returns:
        dict[str, np.ndarray]: Video id to a ``uint8`` array of shape
        ``(num_frames,)`` with values in {0, 1}, sorted by video id.
    """
    if not osp.isdir(mask_dir):
        raise FileNotFoundError(f'mask directory not found: {mask_dir}')
    if videos is None:
        files = sorted(glob.glob(osp.join(mask_dir, '*.npy')))
        videos = [osp.splitext(osp.basename(f))[0] for f in files]
    masks: Dict[str, np.ndarray] = {}
    for video in sorted(videos):
        file = osp.join(mask_dir, f'{video}.npy')
        if not osp.isfile(file):
            raise FileNotFoundError(
                f'frame mask of video {video!r} not found: {file}')
        mask = np.load(file, allow_pickle=False)
        if mask.ndim != 1 or not np.isin(mask, (0, 1)).all():
            raise AnnotationError(
                file, None, f'expected a 1-d 0/1 frame mask, got shape '
                f'{mask.shape} with values {np.unique(mask)[:5].tolist()}')
        masks[video] = mask.astype(np.uint8)
    return masks
