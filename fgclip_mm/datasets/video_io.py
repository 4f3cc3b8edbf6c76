"""Random-access video readers that decode only the frames they are asked for.

Two interchangeable backends sit behind one small interface,
:class:`VideoReader`:

* ``'decord'`` (default): ``decord.VideoReader`` with the output size set at
  open time, so frames are scaled inside FFmpeg while decoding; frames are read
  with a single ``get_batch`` call on sorted unique indices. The decord handle
  is opened lazily, directly at the size the frames are decoded at; the frame
  size and fps come from one header probe (PyAV, no decoding). A test clip
  whose frame count the dataset already knows therefore opens its file twice
  (the probe and one decord handle); only a caller that asks for
  :attr:`~VideoReader.num_frames` before decoding at another size (training,
  where the sampler needs the count) also opens a native-size handle.
* ``'pyav'``: PyAV (bundles FFmpeg). It seeks to the keyframe before each group
  of wanted frames and decodes forward; it never reads the whole file from
  frame 0 unless the wanted frames are all near the start. Use it for files
  that decord mishandles (decord 0.6.0 is unmaintained and has open reports of
  wrong frames).

Every failure (missing file, unreadable container, decode error) is raised as
:class:`VideoReadError` naming the file, never as a backend traceback.

Both backends return frames as a player displays them: a stream stored
sideways with a rotation in its mp4 track header is turned (decord does it
itself; the PyAV reader turns the decoded frames), and
:attr:`VideoReader.frame_shape` is the displayed size.
"""

import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .video_rotation import quarter_turns


class VideoReadError(RuntimeError):
    """A video file is missing, unreadable or cannot deliver the frames asked
    for."""


def format_indices(indices: Sequence[int], max_shown: int = 8) -> str:
    """``'[0, 8, 16, ..., 112] (16 frames)'``: frame indices for messages,
    shortened when there are more than ``max_shown``."""
    inds = [int(i) for i in indices]
    if len(inds) <= max_shown:
        return str(inds)
    head = ', '.join(str(i) for i in inds[: max_shown - 1])
    return f'[{head}, ..., {inds[-1]}] ({len(inds)} frames)'


class VideoReader:
    """Interface of the readers: header information plus a batched random read.

    Subclasses open the file in ``__init__`` (raising :class:`VideoReadError`
    on failure) and implement :meth:`_read`.

    Attributes:
        filename (str): Path of the video.
        num_frames (int): Number of decodable frames reported by the backend.
        fps (float): Average frame rate.
        frame_shape (tuple[int, int]): Native ``(height, width)``.
    """

    backend: str = ''

    def __init__(self, filename: str) -> None:
        self.filename = filename
        if not osp.isfile(filename):
            raise VideoReadError(f'Video file not found: {filename}')
        if osp.getsize(filename) == 0:
            raise VideoReadError(
                f'{filename}: the video file is empty (0 bytes; an '
                'interrupted copy or download?)'
            )
        self._num_frames = 0
        self._fps = 0.0
        self._frame_shape: Optional[Tuple[int, int]] = None
        self._turns: Optional[int] = None

    @property
    def num_frames(self) -> int:
        """Number of decodable frames reported by the backend."""
        return self._num_frames

    @property
    def fps(self) -> float:
        """Average frame rate."""
        return self._fps

    @property
    def quarter_turns(self) -> int:
        """Counterclockwise quarter turns from the stored to the displayed
        frames (the track header's rotation; see :mod:`.video_rotation`)."""
        if self._turns is None:
            self._turns = quarter_turns(self.filename)
        return self._turns

    @property
    def frame_shape(self) -> Tuple[int, int]:
        """Native ``(height, width)`` of the frames as displayed (a rotated
        stream's stored size turned)."""
        if self._frame_shape is None:
            h, w = self._probe_shape()
            self._frame_shape = (w, h) if self.quarter_turns % 2 else (h, w)
        return self._frame_shape

    def _probe_shape(self) -> Tuple[int, int]:
        """Stored ``(height, width)``."""
        raise NotImplementedError

    def __len__(self) -> int:
        return self.num_frames

    def get_frames(
        self, indices: Sequence[int], size: Optional[Tuple[int, int]] = None
    ) -> np.ndarray:
        """Decode the frames at ``indices``.

        Args:
            indices (Sequence[int]): Sorted, unique, 0-based frame indices.
            size (tuple[int, int], optional): Output ``(width, height)``;
                ``None`` keeps the native size.

        Returns:
            np.ndarray: uint8 RGB frames of shape ``(len(indices), H, W, 3)``.
        """
        inds = np.asarray(indices, dtype=np.int64)
        if inds.ndim != 1 or inds.size == 0:
            raise ValueError(
                f'{self.filename}: expected a non-empty 1-D list '
                f'of frame indices, got shape {inds.shape}'
            )
        if np.any(np.diff(inds) <= 0):
            raise ValueError(
                f'{self.filename}: frame indices must be sorted '
                f'and unique, got {inds.tolist()}'
            )
        self.prepare(size)
        if inds[0] < 0 or inds[-1] >= self.num_frames:
            raise VideoReadError(
                f'{self.filename}: frame index out of range: asked for '
                f'{format_indices(inds)}, the video has {self.num_frames} '
                'frames (an annotation frame count larger than the file?)'
            )
        try:
            frames = self._read(inds, size)
        except VideoReadError:
            raise
        except Exception as e:  # backend errors carry no file name
            raise VideoReadError(
                f'{self.filename}: failed to decode frames '
                f'{format_indices(inds)} with {self.backend} '
                f'({type(e).__name__}: {str(e).strip()[-300:]}); the file '
                'may be truncated or corrupt'
            ) from e
        if frames.shape[0] != inds.size:
            raise VideoReadError(
                f'{self.filename}: {self.backend} returned {frames.shape[0]} '
                f'frames for {inds.size} requested indices; the file may be '
                'truncated or corrupt'
            )
        return frames

    def prepare(self, size: Optional[Tuple[int, int]] = None) -> None:
        """Open what decoding at ``size`` (``(width, height)``, None = native)
        needs, so that asking for :attr:`num_frames` afterwards opens nothing
        more. Called by :meth:`get_frames`; optional for callers."""

    def _read(
        self, indices: np.ndarray, size: Optional[Tuple[int, int]]
    ) -> np.ndarray:
        raise NotImplementedError

    def close(self) -> None:
        """Release the backend handles."""


class DecordReader(VideoReader):
    """decord backend. Frames come from one ``get_batch`` call on a handle
    opened at the output size.

    Nothing is opened by the constructor beyond the file check. The frame
    shape and fps come from one container-header probe (PyAV; decord exposes
    no frame size without decoding a frame); the decord handle is opened on
    the first read, at the size asked for, or at the native size when
    :attr:`num_frames` is asked for first. decord's frame count is the one
    reported (the same for a handle of any size).

    Args:
        filename (str): Path of the video.
        num_threads (int): Decoder threads. Defaults to 1.
    """

    backend = 'decord'

    def __init__(self, filename: str, num_threads: int = 1) -> None:
        super().__init__(filename)
        self.num_threads = num_threads
        self._handles: Dict[Optional[Tuple[int, int]], object] = {}
        self._header: Optional[Tuple[Tuple[int, int], float]] = None

    # -------------------------------------------------------------- header
    def _probe_header(self) -> Tuple[Tuple[int, int], float]:
        """``((height, width), fps)`` from the container header (PyAV, no
        decoding); fps is the stream's average frame rate, which is what
        ``decord.VideoReader.get_avg_fps`` reports."""
        if self._header is None:
            import av

            try:
                with av.open(self.filename) as container:
                    stream = container.streams.video[0]
                    ctx = stream.codec_context
                    shape = (int(ctx.height), int(ctx.width))
                    rate = stream.average_rate
                    fps = float(rate) if rate else 0.0
            except Exception as e:
                raise VideoReadError(
                    f'Cannot open video {self.filename} (reading the header '
                    f'with PyAV: {type(e).__name__}: '
                    f'{str(e).splitlines()[0][:200] if str(e) else ""}); the '
                    'file may be truncated or corrupt'
                ) from e
            if min(shape) <= 0:
                raise VideoReadError(
                    f'{self.filename}: the header gives no frame size'
                )
            self._header = (shape, fps)
        return self._header

    def _probe_shape(self) -> Tuple[int, int]:
        return self._probe_header()[0]

    @property
    def fps(self) -> float:
        fps = self._probe_header()[1]
        if fps <= 0:  # no average rate in the header: ask decord
            fps = float(self._any_handle().get_avg_fps())
        return fps

    @property
    def num_frames(self) -> int:
        return len(self._any_handle())

    # -------------------------------------------------------------- handles
    def _any_handle(self):
        """An open handle (its size does not matter for the frame count or
        fps); the native-size one if none is open yet."""
        if self._handles:
            return next(iter(self._handles.values()))
        return self._open(None)

    def _open(self, size: Optional[Tuple[int, int]]):
        if size in self._handles:
            return self._handles[size]
        import decord

        kwargs = dict(num_threads=self.num_threads)
        if size is not None:
            kwargs.update(width=int(size[0]), height=int(size[1]))
        try:
            handle = decord.VideoReader(self.filename, **kwargs)
        except Exception as e:
            raise VideoReadError(
                f'Cannot open video {self.filename} with decord '
                f'({type(e).__name__}: {str(e).splitlines()[0][:200]}); the '
                'file may be truncated or corrupt'
            ) from e
        if len(handle) <= 0:
            raise VideoReadError(f'{self.filename}: decord found no frames')
        # Keep at most the native handle and the one of the last size asked
        # for.
        for key in [k for k in self._handles if k is not None]:
            del self._handles[key]
        self._handles[size] = handle
        return handle

    @staticmethod
    def _key(size: Optional[Tuple[int, int]]) -> Optional[Tuple[int, int]]:
        return None if size is None else (int(size[0]), int(size[1]))

    def prepare(self, size: Optional[Tuple[int, int]] = None) -> None:
        self._open(self._key(size))

    def _read(
        self, indices: np.ndarray, size: Optional[Tuple[int, int]]
    ) -> np.ndarray:
        handle = self._open(self._key(size))
        return handle.get_batch(indices.tolist()).asnumpy()

    def close(self) -> None:
        self._handles.clear()


# PyAV is the drop-in backend (its own module; it subclasses VideoReader).
from .pyav_reader import PyAVReader  # noqa: E402

VIDEO_BACKENDS = {'decord': DecordReader, 'pyav': PyAVReader}


def open_video(
    filename: str, backend: str = 'decord', **kwargs
) -> VideoReader:
    """Open ``filename`` with the named backend (``'decord'`` or
    ``'pyav'``)."""
    if backend not in VIDEO_BACKENDS:
        raise ValueError(
            f'Unknown video backend {backend!r}; choose one of '
            f'{sorted(VIDEO_BACKENDS)}'
        )
    return VIDEO_BACKENDS[backend](filename, **kwargs)


_FRAME_COUNT_CACHE: Dict[Tuple[str, float, int], int] = {}


def get_num_frames(filename: str, backend: str = 'decord') -> int:
    """Frame count of a video from its header, cached per (path, mtime,
    size)."""
    if not osp.isfile(filename):
        raise VideoReadError(f'Video file not found: {filename}')
    st = os.stat(filename)
    key = (osp.abspath(filename), st.st_mtime, st.st_size)
    if key not in _FRAME_COUNT_CACHE:
        reader = open_video(filename, backend)
        _FRAME_COUNT_CACHE[key] = reader.num_frames
        reader.close()
    return _FRAME_COUNT_CACHE[key]
