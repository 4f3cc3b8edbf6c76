import numpy as np
import pytest

from fgclip_mm.evaluation.functional import (
    apply_protocol,
    average_duplicate_frames,
    expand_frame_scores,
    repeat_snippet_scores,
    segment_mean_scores,
    snippet_mean_scores,
)


def test_linear_expansion_interpolates_and_holds_edges():
    dense = expand_frame_scores([2, 6], [0.2, 0.6], 9, 'linear')
    np.testing.assert_allclose(
        dense, [0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6]
    )


def test_nearest_expansion_prefers_earlier_sample_on_tie():
    dense = expand_frame_scores([0, 4], [0.0, 1.0], 6, 'nearest')
    np.testing.assert_array_equal(dense, [0, 0, 0, 1, 1, 1])


def test_expansion_is_identity_when_every_frame_is_sampled():
    scores = np.random.default_rng(0).random(20)
    for mode in ('linear', 'nearest'):
        np.testing.assert_array_equal(
            expand_frame_scores(np.arange(20), scores, 20, mode), scores
        )


def test_repeated_frame_index_gets_mean_score():
    inds, vals = average_duplicate_frames([5, 2, 2], [1.0, 0.2, 0.4])
    np.testing.assert_array_equal(inds, [2, 5])
    np.testing.assert_allclose(vals, [0.3, 1.0])


def test_duplicate_averaging_is_bit_identical_under_permutation():
    rng = np.random.default_rng(1)
    inds = rng.integers(0, 50, 400)
    vals = rng.random(400)
    ref = average_duplicate_frames(inds, vals)
    for _ in range(5):
        perm = rng.permutation(400)
        got = average_duplicate_frames(inds[perm], vals[perm])
        assert np.array_equal(got[0], ref[0])
        assert np.array_equal(got[1], ref[1])


@pytest.mark.parametrize(
    'inds, n, match',
    [
        ([0, 10], 10, r'\[0, 10\)'),
        ([-1, 3], 10, r'\[0, 10\)'),
        ([], 10, 'no sampled frame'),
    ],
)
def test_expansion_rejects_bad_indices(inds, n, match):
    with pytest.raises(ValueError, match=match):
        expand_frame_scores(inds, np.zeros(len(inds)), n)


def test_expansion_rejects_nan_scores_and_unknown_mode():
    with pytest.raises(ValueError, match='NaN'):
        expand_frame_scores([0, 1], [0.1, np.nan], 2)
    with pytest.raises(ValueError, match='mode'):
        expand_frame_scores([0, 1], [0.1, 0.2], 2, 'cubic')


def test_snippet16_mean_repeated_and_partial_snippet_dropped():
    scores = np.arange(40, dtype=np.float64)
    out = snippet_mean_scores(scores, 16)
    assert out.shape == (32,)
    np.testing.assert_array_equal(out[:16], np.full(16, 7.5))
    np.testing.assert_array_equal(out[16:], np.full(16, 23.5))
    np.testing.assert_array_equal(apply_protocol(scores, 'snippet16'), out)
    assert apply_protocol(np.ones(15), 'snippet16').shape == (0,)


def test_repeat_snippet_scores_expands_x16():
    out = repeat_snippet_scores([0.1, 0.9])
    assert out.shape == (32,)
    np.testing.assert_array_equal(out[:16], 0.1)
    np.testing.assert_array_equal(out[16:], 0.9)


def test_segments32_means_over_round_linspace_segments():
    scores = np.arange(64, dtype=np.float64)
    out = segment_mean_scores(scores, 32)
    np.testing.assert_array_equal(out, np.repeat(np.arange(32) * 2 + 0.5, 2))
    # 100 frames: boundaries round(linspace(0, 100, 33))
    scores = np.random.default_rng(0).random(100)
    out = apply_protocol(scores, 'segments32')
    bounds = np.round(np.linspace(0, 100, 33)).astype(int)
    for s, e in zip(bounds[:-1], bounds[1:]):
        np.testing.assert_allclose(out[s:e], scores[s:e].mean())


def test_segments32_with_fewer_frames_than_segments_scores_every_frame():
    scores = np.array([0.1, 0.5, 0.9])
    np.testing.assert_array_equal(segment_mean_scores(scores), scores)


def test_frame_protocol_keeps_scores_and_unknown_protocol_raises():
    scores = np.array([0.1, 0.2])
    np.testing.assert_array_equal(apply_protocol(scores, 'frame'), scores)
    with pytest.raises(ValueError, match='protocol'):
        apply_protocol(scores, 'clip')
