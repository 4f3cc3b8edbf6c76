"""Frame-level ground truth from annotated intervals.

The community's label files (e.g. the widely shared UCF-Crime
``gt_snippet16_i3d.npy``) mark an event ``(start, end)`` on the frames
``start, start + 1, ..., end - 1``: the interval is **half-open**
``[start, end)``. The inclusive reading ``[start, end]`` is available as an
option. Intervals reaching past the end of a video are clipped.

Label lengths depend on the scoring protocol (see
:mod:`~fgclip_mm.evaluation.functional.protocols`): ``frame`` and
``segments32`` label every real frame, ``snippet16`` drops the trailing
partial 16-frame snippet.
"""

from typing import Dict, Mapping, Optional, Sequence, Union

import numpy as np

__all__ = [
    'INTERVAL_CONVENTIONS',
    'intervals_to_labels',
    'labels_to_intervals',
    'protocol_length',
    'build_video_labels',
    'concat_in_order',
    'build_ground_truth',
    'pad_labels_to_length',
]

#: Supported interval conventions.
INTERVAL_CONVENTIONS = ('half_open', 'inclusive')

IntervalsLike = Union[np.ndarray, Sequence[Sequence[int]]]


def _check_convention(convention: str) -> None:
    if convention not in INTERVAL_CONVENTIONS:
        raise ValueError(
            f'interval convention must be one of '
            f'{INTERVAL_CONVENTIONS}, got {convention!r}'
        )


def _as_intervals(intervals: Optional[IntervalsLike]) -> np.ndarray:
    """Return intervals as an int64 array of shape (K, 2)."""
    if intervals is None:
        return np.zeros((0, 2), dtype=np.int64)
    arr = np.asarray(intervals, dtype=np.int64)
    if arr.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if arr.ndim == 1 and arr.shape[0] == 2:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f'intervals must have shape (K, 2), got {np.shape(intervals)}'
        )
    return arr


def intervals_to_labels(
    intervals: Optional[IntervalsLike],
    num_frames: int,
    convention: str = 'half_open',
) -> np.ndarray:
    """Turn event intervals into per-frame binary labels.

    Args:
        intervals (array-like | None): Event frame intervals, shape (K, 2),
            each ``(start, end)``; ``None`` or empty for a normal video.
        num_frames (int): Number of frames ``n`` of the video. Intervals are
            clipped to ``[0, n)``.
        convention (str): ``'half_open'`` (default, the community's label
            files): frames ``start .. end - 1`` are anomalous.
            ``'inclusive'``: frames ``start .. end``.

    Returns:
        np.ndarray: ``uint8`` array of shape ``(n,)``, 1 on anomalous frames.
    """
    _check_convention(convention)
    if num_frames < 0:
        raise ValueError(f'num_frames must be >= 0, got {num_frames}')
    labels = np.zeros(int(num_frames), dtype=np.uint8)
    arr = _as_intervals(intervals)
    if (arr < 0).any() or (arr[:, 1] < arr[:, 0]).any():
        raise ValueError(
            f'invalid intervals {arr.tolist()}: frame numbers '
            'must be >= 0 and end >= start'
        )
    extra = 1 if convention == 'inclusive' else 0
    for start, end in arr:
        labels[min(start, num_frames) : min(end + extra, num_frames)] = 1
    return labels


def labels_to_intervals(labels: np.ndarray) -> np.ndarray:
    """Turn per-frame binary labels into half-open intervals.

    The inverse of :func:`intervals_to_labels` with
    ``convention='half_open'``; useful for frame masks (ShanghaiTech).

    Args:
        labels (np.ndarray): Shape ``(n,)``, non-zero on anomalous frames.

    Returns:
        np.ndarray: ``int64`` array of shape ``(K, 2)`` of maximal runs
        ``[start, end)`` of anomalous frames, in temporal order.
    """
    pos = np.asarray(labels).reshape(-1) != 0
    edges = np.diff(np.concatenate([[False], pos, [False]]).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return np.stack([starts, ends], axis=1).astype(np.int64)


def protocol_length(num_frames: int, protocol: str = 'frame') -> int:
    """Number of frames that are scored (and labelled) under a protocol.

    Args:
        num_frames (int): Frames in the video (or, for ``snippet16``, any
            length, e.g. an already snippet-aligned label length).
        protocol (str): ``'frame'`` or ``'segments32'`` (every frame) or
            ``'snippet16'`` (whole 16-frame snippets only).

    Returns:
        int: ``num_frames`` for ``frame``/``segments32``,
        ``num_frames // 16 * 16`` for ``snippet16``.
    """
    if protocol in ('frame', 'segments32'):
        return int(num_frames)
    if protocol == 'snippet16':
        return int(num_frames) // 16 * 16
    raise ValueError(
        'protocol must be one of frame, snippet16, segments32, '
        f'got {protocol!r}'
    )


def build_video_labels(
    intervals: Optional[IntervalsLike],
    num_frames: int,
    protocol: str = 'frame',
    convention: str = 'half_open',
) -> np.ndarray:
    """Per-frame labels of one video under a scoring protocol.

    Args:
        intervals (array-like | None): Event intervals, shape (K, 2).
        num_frames (int): Frames in the video.
        protocol (str): See :func:`protocol_length`.
        convention (str): See :func:`intervals_to_labels`.

    Returns:
        np.ndarray: ``uint8`` labels of shape
        ``(protocol_length(num_frames, protocol),)``.
    """
    labels = intervals_to_labels(intervals, num_frames, convention)
    return labels[: protocol_length(num_frames, protocol)]


def concat_in_order(
    per_video: Mapping[str, np.ndarray], order: Sequence[str]
) -> np.ndarray:
    """Concatenate per-video arrays in a given video order.

    Args:
        per_video (Mapping[str, np.ndarray]): Video id to a 1-d array.
        order (Sequence[str]): Video ids in output order; each must be a key
            of ``per_video``.

    Returns:
        np.ndarray: The concatenation, shape ``(sum of lengths,)``.
    """
    missing = [v for v in order if v not in per_video]
    if missing:
        raise KeyError(
            f'{len(missing)} video(s) of the order list have no '
            f'entry, e.g. {missing[:3]}'
        )
    if not order:
        return np.zeros(0, dtype=np.uint8)
    return np.concatenate([np.asarray(per_video[v]) for v in order])


def build_ground_truth(
    intervals: Mapping[str, IntervalsLike],
    lengths: Mapping[str, int],
    order: Sequence[str],
    protocol: str = 'frame',
    convention: str = 'half_open',
) -> np.ndarray:
    """Concatenated frame-level ground truth of a test set.

    Args:
        intervals (Mapping[str, array-like]): Video id to its event
            intervals (K, 2). Videos of ``order`` absent from it are normal.
        lengths (Mapping[str, int]): Video id to its frame count (or its
            label length, e.g. ``test_snippet16_lengths.csv``).
        order (Sequence[str]): Video ids in output order.
        protocol (str): ``'frame'`` keeps ``lengths`` as they are;
            ``'snippet16'`` rounds each down to a multiple of 16.
        convention (str): ``'half_open'`` (default) or ``'inclusive'``.

    Returns:
        np.ndarray: ``uint8`` labels, shape
        ``(sum_v protocol_length(lengths[v]),)``, videos in ``order``.
    """
    missing = [v for v in order if v not in lengths]
    if missing:
        raise KeyError(
            f'{len(missing)} video(s) have no length, e.g. {missing[:3]}'
        )
    per_video: Dict[str, np.ndarray] = {
        v: build_video_labels(
            intervals.get(v), lengths[v], protocol, convention
        )
        for v in order
    }
    return concat_in_order(per_video, order)


def pad_labels_to_length(labels: np.ndarray, length: int) -> np.ndarray:
    """Frame labels cut or padded to a snippet-aligned label length.

    The ShanghaiTech label array of RTFM / MIST / TEVAD (``gt-sh.npy``) has
    ``T * 16`` labels per test video, ``T`` the video's I3D snippet count
    (``ceil(frames / 16)``: the last snippet is padded), and pads a mask
    shorter than that by repeating its last value (so an event running to
    the last frame runs on over the padding).

    Args:
        labels (np.ndarray): Per-frame labels of the real frames, ``(N,)``.
        length (int): Label length, e.g. ``T * 16``.

    Returns:
        np.ndarray: ``(length,)``, same dtype: ``labels[:length]``, padded
        with ``labels[-1]`` (0 for an empty input).
    """
    labels = np.asarray(labels).reshape(-1)
    if length <= labels.size:
        return labels[:length].copy()
    fill = labels[-1] if labels.size else 0
    pad = np.full(length - labels.size, fill, dtype=labels.dtype)
    return np.concatenate([labels, pad])
