import math
import os.path as osp

import numpy as np
import pytest
from scipy.io import loadmat
from scipy.stats import rankdata

from fgclip_mm.evaluation.functional import (
    average_precision,
    curve_auc,
    far_at_recall,
    far_at_threshold,
    per_class_roc_auc,
    pr_curve_points,
    recall_threshold,
    roc_auc,
    roc_curve_points,
)


def _cases():
    rng = np.random.default_rng(2024)
    n = 5000
    labels = (rng.random(n) < 0.2).astype(np.uint8)
    yield 'random', labels, rng.random(n)
    yield 'random_informative', labels, rng.random(n) * 0.6 + labels * 0.4
    # heavily tied: 6 distinct values, correlated with the labels
    tied = np.round(np.clip(rng.normal(0.3 + 0.3 * labels, 0.2), 0, 1) * 5) / 5
    yield 'tied', labels, tied
    yield 'binary_scores', labels, rng.integers(0, 2, n).astype(float)
    yield 'all_equal', labels, np.full(n, 0.5)
    yield 'float32_like', labels, rng.random(n).astype(np.float32)


CASES = list(_cases())


def _oracle_auc(labels, scores):
    """Mann-Whitney: P(score of an anomalous frame > a normal one), ties
    counting one half -- independent of any curve code."""
    ranks = rankdata(scores)
    pos = labels.astype(bool)
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def _oracle_ap_points(labels, scores):
    """Precision and recall at each distinct threshold, by brute force."""
    labels = labels.astype(bool)
    precision, recall = [], []
    for t in np.unique(scores)[::-1]:
        predicted = scores >= t
        tp = np.count_nonzero(predicted & labels)
        precision.append(tp / np.count_nonzero(predicted))
        recall.append(tp / labels.sum())
    return np.array(precision), np.array(recall)


@pytest.mark.parametrize(
    'name, labels, scores', CASES, ids=[c[0] for c in CASES]
)
def test_auc_equals_the_mann_whitney_statistic(name, labels, scores):
    assert abs(roc_auc(labels, scores) - _oracle_auc(labels, scores)) < 1e-9


@pytest.mark.parametrize(
    'name, labels, scores', CASES, ids=[c[0] for c in CASES]
)
def test_ap_conventions_against_brute_force_points(name, labels, scores):
    precision, recall = _oracle_ap_points(labels, scores)
    step = np.sum(np.diff(recall, prepend=0.0) * precision)
    trapezoid = np.trapezoid(
        np.concatenate([[1.0], precision]), np.concatenate([[0.0], recall])
    )
    assert abs(average_precision(labels, scores, 'sklearn') - step) < 1e-9
    assert abs(average_precision(labels, scores, 'pr_auc') - trapezoid) < 1e-9
    # the two conventions differ on real data: the name matters
    if name == 'random_informative':
        assert average_precision(
            labels, scores, 'pr_auc'
        ) != average_precision(labels, scores, 'sklearn')


def test_curves_start_at_the_origin_and_match_brute_force_points():
    _, labels, scores = CASES[2]
    fpr, tpr, thr = roc_curve_points(labels, scores)
    assert (fpr[0], tpr[0], thr[0]) == (0.0, 0.0, np.inf)
    assert (fpr[-1], tpr[-1]) == (1.0, 1.0)
    assert abs(curve_auc(fpr, tpr) - _oracle_auc(labels, scores)) < 1e-9
    precision, recall, _ = pr_curve_points(labels, scores)
    oracle_p, oracle_r = _oracle_ap_points(labels, scores)
    np.testing.assert_allclose(precision, np.concatenate([[1.0], oracle_p]))
    np.testing.assert_allclose(recall, np.concatenate([[0.0], oracle_r]))


def test_unknown_ap_convention_raises():
    with pytest.raises(ValueError, match='convention'):
        average_precision([0, 1], [0.1, 0.2], 'voc')


def test_metrics_are_nan_with_warning_when_a_class_is_missing():
    with pytest.warns(UserWarning, match='without anomalous'):
        assert math.isnan(roc_auc([0, 0], [0.1, 0.2]))
    with pytest.warns(UserWarning, match='without normal'):
        assert math.isnan(roc_auc([1, 1], [0.1, 0.2]))
    with pytest.warns(UserWarning, match='without anomalous'):
        assert math.isnan(average_precision([0, 0], [0.1, 0.2]))
    # AP is defined without normal frames
    assert average_precision([1, 1], [0.1, 0.2]) == 1.0
    with pytest.warns(UserWarning, match='normal-video frames'):
        assert math.isnan(far_at_threshold([]))


def test_inputs_are_validated():
    with pytest.raises(ValueError, match='same length'):
        roc_auc([0, 1], [0.1])
    with pytest.raises(ValueError, match='binary'):
        roc_auc([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match='NaN'):
        roc_auc([0, 1], [0.1, np.nan])


def test_far_at_threshold_counts_ties_at_threshold():
    assert far_at_threshold([0.5, 0.49, 0.51, 0.0], 0.5) == 0.5


def test_far_at_95_hand_computed_with_ties():
    # 20 anomalous frames: 10 x 0.9, 9 x 0.6, 1 x 0.1. The 19th largest is
    # 0.6, the largest threshold with recall >= 19/20 = 0.95 (0.9 reaches
    # 10/20 only).
    pos = [0.9] * 10 + [0.6] * 9 + [0.1]
    # 8 frames of normal videos; 4 of them score >= 0.6 (three tie at 0.6)
    normal_video = [0.6, 0.6, 0.5, 0.7, 0.1, 0.0, 0.6, 0.2]
    # normal frames of anomalous videos: in the pool, not in the FAR
    other = [0.95, 0.95]
    scores = np.array(pos + normal_video + other)
    labels = np.array([1] * 20 + [0] * 10)
    normal_mask = np.array([False] * 20 + [True] * 8 + [False] * 2)
    far, thr = far_at_recall(labels, scores, normal_mask, 0.95)
    assert thr == 0.6
    assert far == 4 / 8
    assert far_at_threshold(scores[normal_mask], 0.5) == 5 / 8


def test_recall_threshold_is_exact_at_representable_boundaries():
    # 0.95 * 100 is 95.00000000000001 in floating point: k must still be 95
    scores = np.arange(1, 101, dtype=float)
    assert recall_threshold(np.ones(100), scores, 0.95) == 6.0
    # 7 positives: 6/7 < 0.95, so all seven are needed
    assert recall_threshold(np.ones(7), np.arange(7.0), 0.95) == 0.0
    assert recall_threshold(np.ones(4), np.arange(4.0), 1.0) == 0.0
    with pytest.warns(UserWarning):
        assert math.isnan(recall_threshold([0, 0], [0.1, 0.2]))
    with pytest.raises(ValueError, match=r'recall must be in \(0, 1\]'):
        recall_threshold([1], [0.1], 0.0)


def test_sultani_published_roc_integrates_to_0754117(data_root):
    mat = loadmat(osp.join(data_root, 'sultani_roc', '6_C3D_Final_L1L2.mat'))
    auc = curve_auc(mat['X'].ravel(), mat['Y'].ravel())
    assert round(auc, 6) == 0.754117
    assert abs(auc - 0.75411735) < 1e-8
    assert abs(auc - float(mat['AUC'].ravel()[0])) < 1e-12


def test_curve_auc_handles_decreasing_x_and_rejects_non_monotonic():
    assert curve_auc([0, 1], [1, 1]) == 1.0
    assert curve_auc([1, 0], [1, 1]) == 1.0
    with pytest.raises(ValueError, match='monotonic'):
        curve_auc([0, 1, 0.5], [0, 1, 1])


def test_per_class_auc_pairs_each_class_with_all_normal_videos():
    rng = np.random.default_rng(3)
    labels, scores = [], []
    for n, pos in ((50, 10), (60, 20), (40, 0), (30, 0), (70, 15)):
        lab = np.zeros(n, np.uint8)
        lab[5 : 5 + pos] = 1
        labels.append(lab)
        scores.append(rng.random(n) * 0.5 + lab * rng.random(n) * 0.5)
    classes = ['Abuse', 'Arson', 'Normal', 'Normal', 'Abuse']
    anomalous = [True, True, False, False, True]
    got = per_class_roc_auc(labels, scores, classes, anomalous)
    assert list(got) == ['Abuse', 'Arson']
    for cls, idx in (('Abuse', [0, 4, 2, 3]), ('Arson', [1, 2, 3])):
        ref = _oracle_auc(
            np.concatenate([labels[i] for i in idx]),
            np.concatenate([scores[i] for i in idx]),
        )
        assert abs(got[cls] - ref) < 1e-12
