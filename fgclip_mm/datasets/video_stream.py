"""Streaming decode: each video read once, in order, in bounded chunks.

The test/inference path of a long recording should not seek: it decodes the
file front to back, converts (colour + resize, inside FFmpeg) only the frames
it scores, and hands them over in chunks while a background thread already
decodes the next ones. Memory is bounded by ``prefetch + 1`` chunks, whatever
the length of the video.

Backends (same frame indices: the n-th decoded frame in presentation order
has index n, as in a full sequential decode):

* ``'pyav'`` (default): iterates ``container.decode``; every frame is decoded
  (inter prediction needs them), only kept frames are converted with
  one swscale context for the whole stream (``frame_converter``).
* ``'decord'``: one handle opened at the output size, ``get_batch`` on each
  chunk of sorted kept indices (decord decodes forward between them).
"""

import os.path as osp
import queue
import threading
from dataclasses import dataclass
from typing import Iterator, Optional, Tuple

import numpy as np

from .pyav_reader import frame_converter
from .video_io import VideoReadError
from .video_rotation import quarter_turns

__all__ = [
    'FrameChunk',
    'VideoInfo',
    'probe_video',
    'iter_frames',
    'stream_frames',
    'STREAM_BACKENDS',
]

STREAM_BACKENDS = ('pyav', 'decord')


@dataclass
class FrameChunk:
    """Consecutive kept frames of a video.

    Attributes:
        indices (np.ndarray): ``(N,)`` int64 0-based frame indices.
        frames (np.ndarray): ``(N, H, W, 3)`` uint8 RGB frames.
        frames_read (int): Frames of the video decoded so far; on the last
            chunk, the video's length. A last chunk may be empty (``N = 0``)
            when only unkept frames followed the chunk before.
    """

    indices: np.ndarray
    frames: np.ndarray
    frames_read: int


@dataclass
class VideoInfo:
    """Header information (no decoding).

    Attributes:
        num_frames (int): Frame count from the header (0 if unknown; the
            stream is the ground truth).
        fps (float): Average frame rate.
        frame_shape (tuple[int, int]): Displayed ``(height, width)`` (a
            rotation in the track header swaps the stored ones).
    """

    num_frames: int
    fps: float
    frame_shape: Tuple[int, int]


def _error(filename: str, what: str, e: Exception) -> VideoReadError:
    msg = str(e).splitlines()[0][:200] if str(e) else ''
    return VideoReadError(
        f'{filename}: {what} ({type(e).__name__}: {msg}); '
        'the file may be truncated or corrupt'
    )


def probe_video(filename: str) -> VideoInfo:
    """Frame count, fps and frame size from the container header (PyAV)."""
    import av

    try:
        with av.open(filename) as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            fps = float(rate) if rate else 0.0
            frames = int(stream.frames or 0)
            if frames <= 0 and stream.duration and fps:
                frames = int(
                    round(stream.duration * float(stream.time_base) * fps)
                )
            shape = (
                int(stream.codec_context.height),
                int(stream.codec_context.width),
            )
        if quarter_turns(filename) % 2:  # the displayed size
            shape = shape[::-1]
    except Exception as e:
        raise _error(filename, 'cannot open the video', e) from e
    if min(shape) <= 0:
        raise VideoReadError(f'{filename}: the header gives no frame size')
    return VideoInfo(frames, fps, shape)


def _pyav_frames(
    filename: str,
    stride: int,
    chunk_size: int,
    size: Optional[Tuple[int, int]],
    num_threads: int,
) -> Iterator[FrameChunk]:
    import av

    # PyAV returns the stored frames; turn them as players (and decord) do
    turns = quarter_turns(filename)
    if size is not None and turns % 2:  # ``size`` is displayed
        size = (size[1], size[0])
    convert = frame_converter(size, turns)
    try:
        container = av.open(filename)
    except Exception as e:
        raise _error(filename, 'cannot open the video with PyAV', e) from e
    try:
        stream = container.streams.video[0]
        stream.thread_type = 'AUTO' if num_threads != 1 else 'SLICE'
        stream.codec_context.thread_count = max(0, num_threads)
        inds, frames, read, shape = [], [], 0, (0, 0, 0, 3)
        for index, frame in enumerate(container.decode(stream)):
            if index % stride:
                continue
            inds.append(index)
            frames.append(convert(frame))
            if len(inds) == chunk_size:
                shape = (0,) + frames[0].shape
                read = index + 1
                yield FrameChunk(
                    np.asarray(inds, np.int64), np.stack(frames), read
                )
                inds, frames = [], []
        total = (index + 1) if read or inds else 0
        if not total:
            raise VideoReadError(f'{filename}: PyAV decoded no frame')
        if inds:
            yield FrameChunk(
                np.asarray(inds, np.int64), np.stack(frames), total
            )
        elif total > read:
            yield FrameChunk(
                np.zeros(0, np.int64), np.zeros(shape, np.uint8), total
            )
    finally:
        container.close()


def _decord_frames(
    filename: str,
    stride: int,
    chunk_size: int,
    size: Optional[Tuple[int, int]],
    num_threads: int,
) -> Iterator[FrameChunk]:
    import decord

    kwargs = dict(num_threads=max(0, num_threads))
    if size is not None:
        kwargs.update(width=int(size[0]), height=int(size[1]))
    try:
        reader = decord.VideoReader(filename, **kwargs)
    except Exception as e:
        raise _error(filename, 'cannot open the video with decord', e) from e
    total = len(reader)
    kept = np.arange(0, total, stride, dtype=np.int64)
    for start in range(0, kept.size, chunk_size):
        inds = kept[start : start + chunk_size]
        read = total if start + chunk_size >= kept.size else inds[-1] + 1
        yield FrameChunk(
            inds, reader.get_batch(inds.tolist()).asnumpy(), int(read)
        )


def iter_frames(
    filename: str,
    stride: int = 1,
    chunk_size: int = 64,
    size: Optional[Tuple[int, int]] = None,
    backend: str = 'pyav',
    num_threads: int = 1,
) -> Iterator[FrameChunk]:
    """Decode every ``stride``-th frame of a video in order, in chunks.

    Args:
        filename (str): Path of the video.
        stride (int): Keep frames ``0, stride, 2 * stride, ...``.
        chunk_size (int): Kept frames per chunk (the last may be shorter).
        size (tuple[int, int], optional): Output ``(width, height)``, scaled
            while decoding; None keeps the native size.
        backend (str): ``'pyav'`` or ``'decord'``.
        num_threads (int): Decoder threads (0 lets FFmpeg choose).

    Yields:
        FrameChunk: ``chunk_size`` kept frames and their indices.
    """
    if backend not in STREAM_BACKENDS:
        raise ValueError(
            f'Unknown stream backend {backend!r}; choose one '
            f'of {list(STREAM_BACKENDS)}'
        )
    if stride < 1 or chunk_size < 1:
        raise ValueError(
            'stride and chunk_size must be positive, got '
            f'{stride} and {chunk_size}'
        )
    if not osp.isfile(filename):
        raise VideoReadError(f'Video file not found: {filename}')
    source = _pyav_frames if backend == 'pyav' else _decord_frames
    try:
        yield from source(filename, stride, chunk_size, size, num_threads)
    except VideoReadError:
        raise
    except Exception as e:  # backend errors carry no file name
        raise _error(filename, f'decoding with {backend} failed', e) from e


_DONE = object()


def _put(out: queue.Queue, item, stop: threading.Event) -> bool:
    """Put ``item`` unless the consumer stopped; False when stopped."""
    while not stop.is_set():
        try:
            out.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _producer(
    chunks: Iterator[FrameChunk], out: queue.Queue, stop: threading.Event
) -> None:
    """Fill ``out`` from ``chunks`` until exhausted or stopped."""
    try:
        for chunk in chunks:
            if not _put(out, chunk, stop):
                return
        _put(out, _DONE, stop)
    except BaseException as e:  # handed to the consumer
        _put(out, e, stop)
    finally:
        chunks.close()  # closes the container when stopped early


def stream_frames(
    filename: str,
    stride: int = 1,
    chunk_size: int = 64,
    size: Optional[Tuple[int, int]] = None,
    backend: str = 'pyav',
    num_threads: int = 1,
    prefetch: int = 2,
) -> Iterator[FrameChunk]:
    """:func:`iter_frames` decoded ahead by a background thread.

    The decoders release the GIL while decoding, so decoding the next chunks
    overlaps with the caller's work on the current one. At most ``prefetch``
    chunks wait in the queue; ``prefetch=0`` decodes in the caller's thread.
    Errors of the decoder are re-raised in the caller; closing the generator
    early stops the thread.

    Args:
        prefetch (int): Chunks decoded ahead. Other arguments: see
            :func:`iter_frames`.

    Yields:
        FrameChunk: the same chunks as :func:`iter_frames`.
    """
    chunks = iter_frames(
        filename, stride, chunk_size, size, backend, num_threads
    )
    if prefetch <= 0:
        yield from chunks
        return
    out: queue.Queue = queue.Queue(maxsize=prefetch)
    stop = threading.Event()
    thread = threading.Thread(
        target=_producer,
        args=(chunks, out, stop),
        daemon=True,
        name='fgclip-decode',
    )
    thread.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
