"""The display rotation of an mp4 / mov video, read from its track header
without decoding.

Phones and some cameras store frames sideways and a rotation matrix in the
track header (``tkhd``). decord applies it (frames come out as a player
shows them); PyAV decodes the stored frames and exposes the rotation only on
decoded frames. The readers use :func:`quarter_turns` so that both backends
report the displayed frame size and return the displayed frames.
"""

import math
import struct
from typing import BinaryIO, Iterator, Optional, Tuple

__all__ = ['quarter_turns']

_CONTAINERS = (b'moov', b'trak')


def _boxes(
    f: BinaryIO, start: int, end: int
) -> Iterator[Tuple[bytes, int, int]]:
    """``(type, payload start, box end)`` of the boxes in ``[start, end)``."""
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack('>I4s', header)
        payload = pos + 8
        if size == 1:  # 64-bit size follows
            size = struct.unpack('>Q', f.read(8))[0]
            payload += 8
        elif size == 0:  # to the end of the enclosing box
            size = end - pos
        if size < payload - pos:
            return
        yield kind, payload, pos + size
        pos += size


def _tkhd_turns(f: BinaryIO, start: int, end: int) -> Optional[int]:
    """Quarter turns of a video track header, None for a track without a
    picture (width or height 0)."""
    f.seek(start)
    data = f.read(min(end - start, 100))
    offset = 4 + (32 if data[:1] == b'\x01' else 20) + 16
    if len(data) < offset + 44:
        return None
    a, b = struct.unpack('>ii', data[offset : offset + 8])
    width, height = struct.unpack('>II', data[offset + 36 : offset + 44])
    if not width or not height:
        return None
    # FFmpeg's av_display_rotation_get: -atan2(b, a), counterclockwise
    degrees = -math.degrees(math.atan2(b, a))
    return int(round(degrees / 90)) % 4


def _find_turns(f: BinaryIO, start: int, end: int) -> Optional[int]:
    for kind, payload, box_end in _boxes(f, start, end):
        if kind == b'tkhd':
            turns = _tkhd_turns(f, payload, box_end)
            if turns is not None:
                return turns
        elif kind in _CONTAINERS:
            turns = _find_turns(f, payload, box_end)
            if turns is not None:
                return turns
    return None


def quarter_turns(filename: str) -> int:
    """Counterclockwise quarter turns (``np.rot90``'s ``k``, 0-3) that turn
    the stored frames of the first video track into the displayed ones.

    Args:
        filename (str): Path of the video.

    Returns:
        int: 0 for files without a rotation, files that are not mp4 / mov,
        and files whose header cannot be read (the reader reports those).
    """
    try:
        with open(filename, 'rb') as f:
            f.seek(0, 2)
            size = f.tell()
            return _find_turns(f, 0, size) or 0
    except (OSError, struct.error, ValueError):
        return 0
