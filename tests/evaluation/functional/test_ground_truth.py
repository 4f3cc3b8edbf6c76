import numpy as np
import pytest

from fgclip_mm.evaluation.functional import (
    build_ground_truth,
    build_video_labels,
    concat_in_order,
    intervals_to_labels,
    labels_to_intervals,
    protocol_length,
)


def test_half_open_is_default_and_inclusive_adds_end_frame():
    np.testing.assert_array_equal(
        intervals_to_labels([(2, 5)], 8), [0, 0, 1, 1, 1, 0, 0, 0]
    )
    np.testing.assert_array_equal(
        intervals_to_labels([(2, 5)], 8, 'inclusive'), [0, 0, 1, 1, 1, 1, 0, 0]
    )


def test_intervals_past_video_end_are_clipped():
    np.testing.assert_array_equal(
        intervals_to_labels([(5, 100), (50, 60)], 8), [0, 0, 0, 0, 0, 1, 1, 1]
    )
    np.testing.assert_array_equal(
        intervals_to_labels([(7, 7)], 8, 'inclusive'), [0, 0, 0, 0, 0, 0, 0, 1]
    )


def test_normal_video_has_all_zero_labels():
    for empty in (None, [], np.zeros((0, 2), np.int64)):
        labels = intervals_to_labels(empty, 5)
        assert labels.dtype == np.uint8
        np.testing.assert_array_equal(labels, np.zeros(5))


def test_invalid_intervals_raise():
    with pytest.raises(ValueError, match='invalid intervals'):
        intervals_to_labels([(5, 2)], 8)
    with pytest.raises(ValueError, match='shape'):
        intervals_to_labels([[1, 2, 3]], 8)
    with pytest.raises(ValueError, match='convention'):
        intervals_to_labels([(1, 2)], 8, 'closed')


def test_labels_to_intervals_inverts_half_open_labels():
    labels = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1])
    intervals = labels_to_intervals(labels)
    np.testing.assert_array_equal(intervals, [[0, 2], [4, 5], [6, 9]])
    np.testing.assert_array_equal(
        intervals_to_labels(intervals, len(labels)), labels
    )
    assert labels_to_intervals(np.zeros(4)).shape == (0, 2)


def test_protocol_length_drops_partial_snippet_only_for_snippet16():
    assert protocol_length(1412, 'frame') == 1412
    assert protocol_length(1412, 'segments32') == 1412
    assert protocol_length(1412, 'snippet16') == 1408
    assert protocol_length(1408, 'snippet16') == 1408
    assert protocol_length(15, 'snippet16') == 0
    with pytest.raises(
        ValueError, match="protocol must be one of .*'snippet8'"
    ):
        protocol_length(10, 'snippet8')


def test_build_video_labels_truncates_to_protocol_length():
    labels = build_video_labels([(30, 40)], 40, 'snippet16')
    assert labels.shape == (32,)
    assert labels.sum() == 2


def test_build_ground_truth_follows_order_and_absent_videos_are_normal():
    gt = build_ground_truth(
        {'b': [(1, 3)]}, {'a': 2, 'b': 4, 'c': 3}, ['b', 'a', 'c']
    )
    np.testing.assert_array_equal(gt, [0, 1, 1, 0, 0, 0, 0, 0, 0])


def test_build_ground_truth_requires_every_length():
    with pytest.raises(KeyError, match='no length'):
        build_ground_truth({}, {'a': 2}, ['a', 'b'])


def test_concat_in_order_names_missing_videos():
    with pytest.raises(KeyError, match='x'):
        concat_in_order({'a': np.ones(2)}, ['a', 'x'])
    assert concat_in_order({}, []).shape == (0,)
