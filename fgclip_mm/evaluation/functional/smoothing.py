"""Video-level smoothing of frame scores, after the clips are merged.

A video is scored clip by clip. Smoothing inside each clip (the old
``PromptAnomalyScorer(smooth_kernel=...)``) never crosses a clip boundary:
the first and last frames of every clip are averaged with copies of
themselves. Here the scores of all clips of a video are merged first (sorted
by frame, a frame sampled by several clips gets their mean), then smoothed
as one sequence, then filled in to every frame. :class:`VADMetric` and the
inference API (:func:`fgclip_mm.apis.inference_vad`) both call
:func:`merged_frame_scores`.
"""

import numpy as np

from .protocols import average_duplicate_frames, expand_frame_scores

__all__ = [
    'SMOOTH_EDGE_MODE',
    'check_smooth_kernel',
    'smooth_video_scores',
    'merged_frame_scores',
]

#: Edge handling of :func:`smooth_video_scores`, named as in
#: ``scipy.ndimage.uniform_filter1d``: the first / last score is repeated.
SMOOTH_EDGE_MODE = 'nearest'


def check_smooth_kernel(kernel: int) -> int:
    """Return ``kernel`` if it is a positive odd integer, else raise.

    Args:
        kernel (int): Moving-average window, in sampled frames.

    Returns:
        int: ``kernel``.
    """
    if (
        isinstance(kernel, bool)
        or not isinstance(kernel, (int, np.integer))
        or kernel < 1
        or kernel % 2 == 0
    ):
        raise ValueError(
            'smooth_kernel must be a positive odd number of sampled frames '
            f'(1 = no smoothing), got {kernel!r}'
        )
    return int(kernel)


def smooth_video_scores(scores: np.ndarray, kernel: int) -> np.ndarray:
    """Centred moving average of a video's merged scores.

    Equals ``scipy.ndimage.uniform_filter1d(scores, kernel,
    mode='nearest')``: each score becomes the mean of the ``kernel`` scores
    centred on it, the sequence extended by repeating its first and last
    score.

    Args:
        scores (np.ndarray): ``(S,)`` scores of the sampled frames of one
            video, in frame order.
        kernel (int): Window, a positive odd number of sampled frames; 1
            returns the scores unchanged.

    Returns:
        np.ndarray: ``float64`` smoothed scores, shape ``(S,)``.
    """
    kernel = check_smooth_kernel(kernel)
    vals = np.asarray(scores, dtype=np.float64).reshape(-1)
    if kernel == 1 or vals.size == 0:
        return vals
    pad = kernel // 2
    padded = np.pad(vals, pad, mode='edge')
    return np.convolve(padded, np.full(kernel, 1.0 / kernel), mode='valid')


def merged_frame_scores(
    frame_inds: np.ndarray,
    scores: np.ndarray,
    num_frames: int,
    mode: str = 'linear',
    smooth_kernel: int = 1,
) -> np.ndarray:
    """Every frame's score of a video from the scores of all its clips.

    The clips' sampled frames are merged (sorted, repeated indices
    averaged), smoothed over the whole video with
    :func:`smooth_video_scores`, then filled in between sampled frames with
    :func:`expand_frame_scores`.

    Args:
        frame_inds (np.ndarray): ``(T,)`` sampled frames of all clips.
        scores (np.ndarray): ``(T,)`` their scores.
        num_frames (int): Frames of the video.
        mode (str): ``'linear'`` or ``'nearest'`` filling.
            Defaults to ``'linear'``.
        smooth_kernel (int): Moving-average window in sampled frames.
            Defaults to 1 (none).

    Returns:
        np.ndarray: ``float64`` scores of shape ``(num_frames,)``.
    """
    inds, vals = average_duplicate_frames(frame_inds, scores)
    if not np.isfinite(vals).all():
        raise ValueError('scores contain NaN or infinite values')
    vals = smooth_video_scores(vals, smooth_kernel)
    return expand_frame_scores(inds, vals, num_frames, mode)
