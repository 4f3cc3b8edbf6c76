"""Open a video and decode only the frames chosen for the clip (the choice
is :mod:`.sampling`'s)."""

import logging
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from ..video_io import VideoReadError, open_video


def describe_sample(results: Dict) -> str:
    """``'Abuse001_x264 (entry 3)'``: names the sample in errors."""
    name = results.get('video_id') or results.get('filename', '?')
    if results.get('ann_index') is not None:
        name += f' (entry {results["ann_index"]})'
    return name


def target_size(
    scale: Optional[Union[int, Sequence[int]]], frame_shape: Tuple[int, int]
) -> Optional[Tuple[int, int]]:
    """Output ``(width, height)`` for a resize spec.

    Args:
        scale (int | tuple[int, int] | None): ``None`` keeps the size; an int
            resizes the short side to it keeping the aspect ratio; ``(w, h)``
            resizes to exactly that, where one of the two may be ``-1`` to keep
            the aspect ratio.
        frame_shape (tuple[int, int]): Input ``(height, width)``.

    Returns:
        tuple[int, int] | None: ``(width, height)``, or None for no resize.
    """
    if scale is None:
        return None
    h, w = frame_shape
    if isinstance(scale, (int, np.integer)):
        ratio = scale / min(h, w)
        return max(1, int(round(w * ratio))), max(1, int(round(h * ratio)))
    sw, sh = (int(v) for v in scale)
    if sw == -1 and sh == -1:
        return None
    if sw == -1:
        sw = max(1, int(round(w * sh / h)))
    elif sh == -1:
        sh = max(1, int(round(h * sw / w)))
    return sw, sh


def _check_on_error(on_error: str) -> None:
    if on_error not in ('raise', 'skip'):
        raise ValueError(
            f"on_error must be 'raise' or 'skip', got {on_error!r}"
        )


def _fail(on_error: str, message: str, cause: Exception) -> None:
    """Raise a :class:`VideoReadError` with ``message``, or log it and return
    None (``on_error='skip'``)."""
    if on_error == 'skip':
        print_log(
            f'skipped a sample: {message}',
            logger='current',
            level=logging.WARNING,
        )
        return None
    raise VideoReadError(message) from cause


@TRANSFORMS.register_module()
class VideoReaderInit(BaseTransform):
    """Open the video and read its header (no frame is decoded).

    Required Keys:

        - filename

    Added Keys:

        - video_reader (:class:`~fgclip_mm.datasets.video_io.VideoReader`)
        - video_reader_shared (the reader stays open for the next sample)
        - fps
        - total_frames (only when absent: a count from the annotation wins)
        - original_shape (native ``(H, W)``)

    Args:
        backend (str): ``'decord'`` or ``'pyav'``. Defaults to ``'decord'``.
        num_threads (int): Decoder threads. Defaults to 1.
        on_error (str): A missing or unreadable video: ``'raise'`` a
            :class:`VideoReadError` naming it, or ``'skip'``: log a warning
            naming it and return None, so that a training dataset draws
            another sample (mmengine refuses None in test mode, so test sets
            still fail loudly). Defaults to ``'raise'``.
        reuse_reader (bool): Keep the last video open and reuse it while
            consecutive samples come from the same file (test-mode clips of
            one video arrive in order), instead of reopening it per clip. At
            most one reader per pipeline (per DataLoader worker) stays open.
            Defaults to False.
        **kwargs: Backend options (``seek_gap`` for PyAV).
    """

    def __init__(
        self,
        backend: str = 'decord',
        num_threads: int = 1,
        on_error: str = 'raise',
        reuse_reader: bool = False,
        **kwargs,
    ) -> None:
        _check_on_error(on_error)
        self.backend = backend
        self.num_threads = num_threads
        self.on_error = on_error
        self.reuse_reader = reuse_reader
        self.kwargs = kwargs
        self._last: Optional[Tuple[str, object]] = None  # (filename, reader)

    def _open(self, filename: str):
        if self.reuse_reader and self._last is not None:
            if self._last[0] == filename:
                return self._last[1]
            self._last[1].close()
            self._last = None
        reader = open_video(
            filename, self.backend, num_threads=self.num_threads, **self.kwargs
        )
        if self.reuse_reader:
            self._last = (filename, reader)
        return reader

    def __getstate__(self) -> Dict:
        # open readers do not travel to DataLoader workers
        state = self.__dict__.copy()
        state['_last'] = None
        return state

    def transform(self, results: Dict) -> Optional[Dict]:
        try:
            reader = self._open(results['filename'])
            fps, shape = reader.fps, reader.frame_shape
            total = results.get('total_frames')
            if total is None:
                total = reader.num_frames
        except VideoReadError as e:
            return _fail(self.on_error, f'{describe_sample(results)}: {e}', e)
        results['video_reader'] = reader
        results['video_reader_shared'] = self.reuse_reader
        results['fps'] = fps
        results['total_frames'] = total
        results['original_shape'] = shape
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(backend={self.backend!r}, '
            f'num_threads={self.num_threads}, '
            f'reuse_reader={self.reuse_reader})'
        )


@TRANSFORMS.register_module()
class DecodeSampledFrames(BaseTransform):
    """Decode exactly the frames in ``frame_inds``, resized while decoding.

    The sorted unique indices go to the reader in one batch (decord
    ``get_batch``; PyAV seeks and decodes forward), so only those frames (and
    what the codec needs to reach them) are decoded; repeated indices are
    copied. The reader is closed and removed afterwards.

    Required Keys:

        - video_reader
        - frame_inds

    Added Keys:

        - imgs (np.uint8 ``(T, H, W, 3)``, RGB)
        - img_shape (``(H, W)``)
        - original_shape

    Removed Keys:

        - video_reader

    Args:
        scale (int | tuple[int, int], optional): Output size: an int is the
            short side (aspect ratio kept); ``(w, h)`` exact, one of them may
            be ``-1``. Defaults to None (native size).
        out_of_range (str): What to do with indices at or past the reader's
            last frame (annotation frame counts can exceed what the decoder
            sees by a frame or two): ``'error'`` or ``'clamp'`` (use the last
            frame). Defaults to ``'error'``.
        on_error (str): A video that fails to decode (truncated, corrupt):
            ``'raise'`` or ``'skip'`` (see :class:`VideoReaderInit`).
            Defaults to ``'raise'``.
    """

    def __init__(
        self,
        scale: Optional[Union[int, Tuple[int, int]]] = None,
        out_of_range: str = 'error',
        on_error: str = 'raise',
    ) -> None:
        if out_of_range not in ('error', 'clamp'):
            raise ValueError("out_of_range must be 'error' or 'clamp'")
        _check_on_error(on_error)
        self.scale = scale
        self.out_of_range = out_of_range
        self.on_error = on_error

    def transform(self, results: Dict) -> Optional[Dict]:
        reader = results.pop('video_reader')
        shared = results.pop('video_reader_shared', False)
        inds = np.asarray(results['frame_inds'], dtype=np.int64)
        try:
            size = (
                target_size(self.scale, reader.frame_shape)
                if self.scale is not None
                else None
            )
            if self.out_of_range == 'clamp':
                # open at the output size first: the count then costs no
                # extra native-size open
                reader.prepare(size)
                inds = np.clip(inds, 0, len(reader) - 1)
            unique, inverse = np.unique(inds, return_inverse=True)
            frames = reader.get_frames(unique, size)
        except VideoReadError as e:
            return _fail(self.on_error, f'{describe_sample(results)}: {e}', e)
        finally:
            if not shared:  # a shared reader is closed by VideoReaderInit
                reader.close()
        imgs = np.ascontiguousarray(frames[inverse.reshape(-1)])
        results['imgs'] = imgs
        results['img_shape'] = imgs.shape[1:3]
        results.setdefault('original_shape', reader.frame_shape)
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(scale={self.scale}, '
            f'out_of_range={self.out_of_range!r})'
        )


def read_frames(
    filename: str,
    frame_inds: Sequence[int],
    backend: str = 'decord',
    scale: Optional[Union[int, Tuple[int, int]]] = None,
) -> np.ndarray:
    """Convenience: ``(T, H, W, 3)`` uint8 frames of one video at
    ``frame_inds`` (any order, repeats allowed), using the transforms above."""
    results = dict(filename=filename, frame_inds=np.asarray(frame_inds))
    results = VideoReaderInit(backend=backend)(results)
    return DecodeSampledFrames(scale=scale)(results)['imgs']


__all__ = [
    'VideoReaderInit',
    'DecodeSampledFrames',
    'describe_sample',
    'read_frames',
    'target_size',
]
