"""Score-to-frame protocols.

A model scores a sparse set of sampled frames (``frame_inds``) of a video.
The evaluation protocols of the VAD literature need one score per frame:

1. :func:`expand_frame_scores` fills every frame ``0 .. n-1`` from the
   sampled scores (``'linear'`` interpolation or ``'nearest'`` sampled
   frame; frames before the first / after the last sample take its score).
   A frame index sampled several times (overlapping clips) gets the mean
   of its scores.
2. :func:`apply_protocol` then aggregates the dense scores:

   - ``frame``: the dense scores themselves, one per real frame.
   - ``snippet16``: the mean over each 16-frame snippet, repeated x16; the
     trailing partial snippet is dropped, so ``n // 16 * 16`` frames are
     scored. This is the protocol of the snippet-feature (I3D/C3D) methods
     and of the shared label arrays such as UCF-Crime
     ``gt_snippet16_i3d.npy``.
   - ``segments32``: the mean over each of Sultani et al.'s (CVPR 2018) 32
     temporal segments, assigned to every frame of the segment. Segment
     ``k`` covers frames ``[b_k, b_{k+1})`` with
     ``b = round(linspace(0, n, 33))``; every frame is scored.
"""

from typing import Tuple

import numpy as np

__all__ = [
    'PROTOCOLS',
    'INTERP_MODES',
    'average_duplicate_frames',
    'expand_frame_scores',
    'snippet_mean_scores',
    'repeat_snippet_scores',
    'segment_mean_scores',
    'apply_protocol',
]

#: Supported score-to-frame protocols.
PROTOCOLS = ('frame', 'snippet16', 'segments32')
#: Supported ways to fill the frames between sampled frames.
INTERP_MODES = ('linear', 'nearest')


def average_duplicate_frames(
    frame_inds: np.ndarray, scores: np.ndarray
) -> Tuple[np.ndarray, np.ndarray]:
    """Sort sampled frames and average the scores of repeated indices.

    The result does not depend on the order of the inputs: the scores of one
    frame index are summed in ascending order, so clips arriving in a
    different order (e.g. from different ranks) give bit-identical means.

    Args:
        frame_inds (np.ndarray): Integer frame indices, shape ``(T,)``.
        scores (np.ndarray): Scores aligned with ``frame_inds``, shape
            ``(T,)``.

    Returns:
        tuple[np.ndarray, np.ndarray]: The unique indices in ascending order
        (``int64``, shape ``(U,)``) and their mean scores (``float64``,
        shape ``(U,)``).
    """
    inds = np.asarray(frame_inds).reshape(-1).astype(np.int64)
    vals = np.asarray(scores, dtype=np.float64).reshape(-1)
    if inds.shape != vals.shape:
        raise ValueError(
            f'frame_inds {inds.shape} and scores {vals.shape} '
            'must have the same length'
        )
    order = np.lexsort((vals, inds))
    inds, vals = inds[order], vals[order]
    uniq, starts, counts = np.unique(
        inds, return_index=True, return_counts=True
    )
    if len(uniq) == len(inds):
        return uniq, vals
    sums = np.add.reduceat(vals, starts) if len(vals) else vals
    return uniq, sums / counts


def expand_frame_scores(
    frame_inds: np.ndarray,
    scores: np.ndarray,
    num_frames: int,
    mode: str = 'linear',
) -> np.ndarray:
    """Expand scores of sampled frames to every frame of a video.

    Args:
        frame_inds (np.ndarray): 0-based indices of the sampled frames,
            shape ``(T,)``, each in ``[0, num_frames)``; repeats allowed.
        scores (np.ndarray): Score of each sampled frame, shape ``(T,)``.
        num_frames (int): Number of frames ``n`` of the video.
        mode (str): ``'linear'`` interpolates between sampled frames;
            ``'nearest'`` copies the closest sampled frame (the earlier one
            on a tie). Frames outside the sampled range take the score of
            the first / last sampled frame. Defaults to ``'linear'``.

    Returns:
        np.ndarray: ``float64`` scores of shape ``(n,)``.
    """
    if mode not in INTERP_MODES:
        raise ValueError(f'mode must be one of {INTERP_MODES}, got {mode!r}')
    inds, vals = average_duplicate_frames(frame_inds, scores)
    if num_frames <= 0:
        raise ValueError(f'num_frames must be positive, got {num_frames}')
    if len(inds) == 0:
        raise ValueError('no sampled frame to expand the scores from')
    if inds[0] < 0 or inds[-1] >= num_frames:
        raise ValueError(
            f'frame indices must lie in [0, {num_frames}), got '
            f'[{inds[0]}, {inds[-1]}]'
        )
    if not np.isfinite(vals).all():
        raise ValueError('scores contain NaN or infinite values')
    frames = np.arange(num_frames)
    if mode == 'linear':
        return np.interp(frames, inds, vals)
    right = np.clip(np.searchsorted(inds, frames), 0, len(inds) - 1)
    left = np.clip(right - 1, 0, len(inds) - 1)
    use_left = np.abs(frames - inds[left]) <= np.abs(inds[right] - frames)
    return np.where(use_left, vals[left], vals[right])


def snippet_mean_scores(
    frame_scores: np.ndarray, snippet_len: int = 16
) -> np.ndarray:
    """Mean score per snippet, repeated over the snippet's frames.

    Args:
        frame_scores (np.ndarray): Dense scores, shape ``(n,)``.
        snippet_len (int): Frames per snippet. Defaults to 16.

    Returns:
        np.ndarray: ``float64`` scores of shape
        ``(n // snippet_len * snippet_len,)``; the trailing partial snippet
        is dropped.
    """
    scores = np.asarray(frame_scores, dtype=np.float64).reshape(-1)
    num_snippets = len(scores) // snippet_len
    means = (
        scores[: num_snippets * snippet_len]
        .reshape(num_snippets, snippet_len)
        .mean(axis=1)
    )
    return repeat_snippet_scores(means, snippet_len)


def repeat_snippet_scores(
    snippet_scores: np.ndarray, snippet_len: int = 16
) -> np.ndarray:
    """Repeat one score per snippet over the snippet's frames.

    For models that output one score per 16-frame snippet (RTFM, MIL, ...).

    Args:
        snippet_scores (np.ndarray): Shape ``(S,)``.
        snippet_len (int): Frames per snippet. Defaults to 16.

    Returns:
        np.ndarray: ``float64`` scores of shape ``(S * snippet_len,)``.
    """
    return np.repeat(
        np.asarray(snippet_scores, dtype=np.float64).reshape(-1), snippet_len
    )


def segment_mean_scores(
    frame_scores: np.ndarray, num_segments: int = 32
) -> np.ndarray:
    """Mean score per temporal segment, assigned to the segment's frames.

    Segment ``k`` covers ``[b_k, b_{k+1})`` with
    ``b = round(linspace(0, n, num_segments + 1))`` (Sultani et al. 2018
    split each video into 32 such segments). With fewer frames than
    segments, empty segments are skipped.

    Args:
        frame_scores (np.ndarray): Dense scores, shape ``(n,)``.
        num_segments (int): Number of segments. Defaults to 32.

    Returns:
        np.ndarray: ``float64`` scores of shape ``(n,)``.
    """
    scores = np.asarray(frame_scores, dtype=np.float64).reshape(-1)
    bounds = np.round(np.linspace(0, len(scores), num_segments + 1)).astype(
        np.int64
    )
    out = np.empty_like(scores)
    for start, end in zip(bounds[:-1], bounds[1:]):
        if end > start:
            out[start:end] = scores[start:end].mean()
    return out


def apply_protocol(
    frame_scores: np.ndarray, protocol: str = 'frame'
) -> np.ndarray:
    """Aggregate dense per-frame scores under an evaluation protocol.

    Args:
        frame_scores (np.ndarray): One score per real frame, shape ``(n,)``
            (see :func:`expand_frame_scores`).
        protocol (str): ``'frame'``, ``'snippet16'`` or ``'segments32'``.

    Returns:
        np.ndarray: ``float64`` scores of shape ``(n,)`` (``frame``,
        ``segments32``) or ``(n // 16 * 16,)`` (``snippet16``), aligned
        with :func:`~fgclip_mm.evaluation.functional.build_video_labels`.
    """
    if protocol == 'frame':
        return np.asarray(frame_scores, dtype=np.float64).reshape(-1)
    if protocol == 'snippet16':
        return snippet_mean_scores(frame_scores, 16)
    if protocol == 'segments32':
        return segment_mean_scores(frame_scores, 32)
    raise ValueError(f'protocol must be one of {PROTOCOLS}, got {protocol!r}')
