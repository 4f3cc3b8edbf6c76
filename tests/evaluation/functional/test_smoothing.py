"""Video-level smoothing of merged clip scores."""

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d

from fgclip_mm.evaluation.functional import (
    SMOOTH_EDGE_MODE,
    check_smooth_kernel,
    expand_frame_scores,
    merged_frame_scores,
    smooth_video_scores,
)


@pytest.mark.parametrize('kernel', [1, 3, 5, 9])
def test_smoothing_is_scipys_uniform_filter_with_the_documented_edges(kernel):
    rng = np.random.default_rng(kernel)
    scores = rng.random(23)
    expected = uniform_filter1d(scores, kernel, mode=SMOOTH_EDGE_MODE)
    np.testing.assert_allclose(
        smooth_video_scores(scores, kernel), expected, atol=1e-12
    )
    # a kernel longer than the video still repeats the edge scores
    np.testing.assert_allclose(
        smooth_video_scores(scores[:3], 7),
        uniform_filter1d(scores[:3], 7, mode='nearest'),
        atol=1e-12,
    )


@pytest.mark.parametrize('kernel', [0, 2, -1, 4, 3.0, True])
def test_even_non_positive_or_non_integer_kernels_are_refused(kernel):
    with pytest.raises(ValueError, match='positive odd number'):
        check_smooth_kernel(kernel)
    with pytest.raises(ValueError, match='positive odd number'):
        smooth_video_scores(np.zeros(4), kernel)
    assert check_smooth_kernel(np.int64(5)) == 5


def test_merged_smoothing_crosses_clip_boundaries():
    """Two clips of 4 sampled frames, 8 frames apart: the merged sequence is
    smoothed as one, so the last frame of clip 0 sees clip 1's scores."""
    clips = [
        (np.arange(0, 32, 8), np.array([0.0, 0.0, 0.0, 0.0])),
        (np.arange(32, 64, 8), np.array([1.0, 1.0, 1.0, 1.0])),
    ]
    # clips arrive in any order, a frame sampled twice is averaged
    inds = np.concatenate([clips[1][0], clips[0][0], [24]])
    scores = np.concatenate([clips[1][1], clips[0][1], [0.0]])
    got = merged_frame_scores(inds, scores, 64, 'linear', smooth_kernel=3)
    merged = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=float)
    oracle = expand_frame_scores(
        np.arange(0, 64, 8), uniform_filter1d(merged, 3, mode='nearest'), 64
    )
    np.testing.assert_allclose(got, oracle, atol=1e-12)
    assert got[24] == pytest.approx(1 / 3) and got[32] == pytest.approx(2 / 3)
    # per-clip smoothing would have left both clips flat
    np.testing.assert_allclose(
        merged_frame_scores(inds, scores, 64, 'linear', smooth_kernel=1),
        expand_frame_scores(np.arange(0, 64, 8), merged, 64),
    )
    with pytest.raises(ValueError, match='NaN or infinite'):
        merged_frame_scores([0, 1], [0.0, np.nan], 4, smooth_kernel=3)
