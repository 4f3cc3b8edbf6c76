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
    """Names the sample in errors: the dataset's ``sample_name``
    (``'ann.json: entry 3 (Abuse001_x264)'``) when present, else
    ``'Abuse001_x264 (entry 3)'``."""
    if results.get('sample_name'):
        return results['sample_name']
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


def _fail(
    on_error: str, message: str, cause: Optional[Exception], results: Dict
) -> None:
    """Raise a :class:`VideoReadError` with ``message``, or log it, note it
    in ``results['skip_reason']`` (the dataset counts the skip) and return
    None (``on_error='skip'``). A test sample (``results['test_mode']``) is
    never skipped: a test set with holes gives a wrong AUC."""
    if on_error == 'skip' and not results.get('test_mode'):
        print_log(
            f'skipped a sample: {message}',
            logger='current',
            level=logging.WARNING,
        )
        results['skip_reason'] = message
        return None
    if on_error == 'skip':
        message += (
            " (on_error='skip' does not apply to test samples: a test set "
            'with holes gives a wrong AUC; repair or replace the file)'
        )
    raise VideoReadError(message) from cause


def annotation_overrun(
    results: Dict, total: int, fps: float, tolerance_s: float
) -> Optional[str]:
    """Why the annotation does not fit the video, or None when it does.

    A video is *shorter than its annotation* when a keyframe lies at or past
    ``total + tolerance_s * fps`` frames, or when its ``timestamps`` start at
    or after the end or end more than ``tolerance_s`` seconds after it (the
    original annotations' timestamps end up to 0.2 s past the video). Such a
    file is not the one that was annotated (truncated, re-encoded, another
    cut); training on it would pair the label with frames that do not show
    the annotated event.

    Args:
        results (dict): The sample (``box_infos``, ``timestamps``).
        total (int): Frames the video has.
        fps (float): Its frame rate.
        tolerance_s (float): Allowed overrun in seconds.

    Returns:
        str | None: The reason, naming the annotated and the real length.
    """
    slack = tolerance_s * fps
    length = f'{total} frames' + (f' ({total / fps:.2f} s)' if fps else '')
    frames = [
        kf['frame']
        for region in results.get('box_infos') or []
        for kf in region
    ]
    if frames and max(frames) >= total + slack:
        return (
            f'keyframe {max(frames)} is annotated but the video has only '
            f'{length}'
        )
    ts = results.get('timestamps')
    if ts is not None and fps > 0:
        if ts[0] * fps >= total or ts[1] * fps > total + slack:
            return (
                f'timestamps {list(ts)} s are annotated but the video has '
                f'only {length}'
            )
    return None


@TRANSFORMS.register_module()
class VideoReaderInit(BaseTransform):
    """Open the video and read its header (no frame is decoded).

    Required Keys:

        - filename

    Optional Keys:

        - sample_name or video_id, ann_index (name the sample in errors)
        - box_infos, timestamps (checked against the video's length)
        - test_mode (True: ``on_error='skip'`` raises all the same)

    Added Keys:

        - video_reader (:class:`~fgclip_mm.datasets.video_io.VideoReader`)
        - video_reader_shared (the reader stays open for the next sample)
        - fps
        - total_frames (only when absent: a count from the annotation wins)
        - original_shape (native ``(H, W)``)
        - skip_reason (only when the sample is skipped; None is returned)

    Args:
        backend (str): ``'decord'`` or ``'pyav'``. Defaults to ``'decord'``.
        num_threads (int): Decoder threads. Defaults to 1.
        on_error (str): A missing or unreadable video: ``'raise'`` a
            :class:`VideoReadError` naming it, or ``'skip'``: log a warning
            naming it and return None, so that a training dataset draws
            another sample (mmengine refuses None in test mode, so test sets
            still fail loudly). Defaults to ``'raise'``.
        max_overrun_s (float, optional): A video shorter than its
            annotation (see :func:`annotation_overrun`) by more than this
            many seconds is an unreadable sample (``on_error`` applies);
            None disables the check. Defaults to 1.0.
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
        max_overrun_s: Optional[float] = 1.0,
        reuse_reader: bool = False,
        **kwargs,
    ) -> None:
        _check_on_error(on_error)
        self.backend = backend
        self.num_threads = num_threads
        self.on_error = on_error
        self.max_overrun_s = max_overrun_s
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
            message = f'{describe_sample(results)}: {e}'
            return _fail(self.on_error, message, e, results)
        overrun = (
            None
            if self.max_overrun_s is None
            else annotation_overrun(results, total, fps, self.max_overrun_s)
        )
        if overrun is not None:
            if not self.reuse_reader:
                reader.close()
            message = (
                f'{describe_sample(results)}: {results["filename"]} is '
                f'shorter than its annotation: {overrun} (a truncated or '
                'different file?)'
            )
            return _fail(self.on_error, message, None, results)
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
            f'on_error={self.on_error!r}, '
            f'max_overrun_s={self.max_overrun_s}, '
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

    Optional Keys:

        - total_frames (a count from the annotation: a video that decodes
          fewer frames is an error)
        - test_mode (see :class:`VideoReaderInit`)

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
        max_clamp (int): ``'clamp'`` only: indices (and an annotated
            ``total_frames``) at most this many frames past the last
            decodable frame are clamped; farther is an error, since the video
            is then shorter than its annotation. Defaults to 2.
        on_error (str): A video that fails to decode (truncated, corrupt):
            ``'raise'`` or ``'skip'`` (see :class:`VideoReaderInit`).
            Defaults to ``'raise'``.
    """

    def __init__(
        self,
        scale: Optional[Union[int, Tuple[int, int]]] = None,
        out_of_range: str = 'error',
        max_clamp: int = 2,
        on_error: str = 'raise',
    ) -> None:
        if out_of_range not in ('error', 'clamp'):
            raise ValueError("out_of_range must be 'error' or 'clamp'")
        _check_on_error(on_error)
        self.scale = scale
        self.out_of_range = out_of_range
        self.max_clamp = max_clamp
        self.on_error = on_error

    def _check_length(self, results: Dict, num: int) -> None:
        """A video that decodes fewer frames than its annotated
        ``total_frames`` (beyond the ``'clamp'`` slack) is an error naming
        both counts."""
        slack = self.max_clamp if self.out_of_range == 'clamp' else 0
        annotated = results.get('total_frames')
        if annotated is not None and int(annotated) > num + slack:
            raise VideoReadError(
                f'{results["filename"]} is shorter than its annotation: the '
                f'annotation says {annotated} frames but the file decodes '
                f'{num} (a truncated or different file, or a wrong frame '
                'count?)'
            )

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
            # open at the output size first: the count then costs no extra
            # native-size open
            reader.prepare(size)
            num = len(reader)
            self._check_length(results, num)
            if self.out_of_range == 'clamp':  # farther ones stay an error
                near = inds < num + self.max_clamp
                inds = np.where(near, np.minimum(inds, num - 1), inds)
            unique, inverse = np.unique(inds, return_inverse=True)
            frames = reader.get_frames(unique, size)
        except VideoReadError as e:
            message = f'{describe_sample(results)}: {e}'
            return _fail(self.on_error, message, e, results)
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
            f'out_of_range={self.out_of_range!r}, '
            f'max_clamp={self.max_clamp}, on_error={self.on_error!r})'
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
    'annotation_overrun',
    'VideoReaderInit',
    'DecodeSampledFrames',
    'describe_sample',
    'read_frames',
    'target_size',
]
