"""Frame-level VAD metrics: ROC AUC, AP, false-alarm rates.

All functions take a pool of frame ``labels`` (1 = anomalous) and
``scores`` (higher = more anomalous), usually the concatenation of every
test video. AUC, AP and the curves are scikit-learn's (ties enter the curves
together at one threshold); the false-alarm rates are computed here.

Conventions (see ``docs/evaluation.md``):

- **AUC**: area under the ROC curve (trapezoidal), equal to
  ``sklearn.metrics.roc_auc_score``.
- **AP**, two conventions found in the literature:

  - ``'sklearn'`` (default): ``sklearn.metrics.average_precision_score``,
    ``sum_k (R_k - R_{k-1}) P_k`` -- a step integral without
    interpolation.
  - ``'pr_auc'``: ``sklearn.metrics.auc(recall, precision)`` on the points
    of ``precision_recall_curve`` -- trapezoidal, including the point
    (recall 0, precision 1). It is slightly larger than ``'sklearn'``
    in general.

- **FAR** at a threshold: fraction of the frames of *normal videos* scoring
  ``>= threshold`` (0.5 in the literature).
- **FAR@95**: the FAR at the largest threshold whose frame recall is at
  least 95 %.
"""

import math
import warnings
from typing import Dict, Sequence, Tuple

import numpy as np
from sklearn import metrics as skm

__all__ = [
    'AP_CONVENTIONS',
    'roc_curve_points',
    'pr_curve_points',
    'curve_auc',
    'roc_auc',
    'average_precision',
    'far_at_threshold',
    'recall_threshold',
    'far_at_recall',
    'per_class_roc_auc',
]

#: Supported average-precision conventions.
AP_CONVENTIONS = ('sklearn', 'pr_auc')


def _check_inputs(
    labels: np.ndarray, scores: np.ndarray
) -> Tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(labels).reshape(-1)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if labels.shape != scores.shape:
        raise ValueError(
            f'labels {labels.shape} and scores {scores.shape} '
            'must have the same length'
        )
    if labels.size and not np.isin(labels, (0, 1)).all():
        raise ValueError('labels must be binary (0 = normal, 1 = anomalous)')
    if not np.isfinite(scores).all():
        raise ValueError('scores contain NaN or infinite values')
    return labels.astype(bool), scores


def _has_classes(labels: np.ndarray, what: str, need_normal: bool) -> bool:
    """Whether a metric is defined; warns when a class is missing."""
    missing = None
    if not labels.any():
        missing = 'anomalous'
    elif need_normal and labels.all():
        missing = 'normal'
    if missing is not None:
        warnings.warn(
            f'{what} is undefined without {missing} frames; returning NaN'
        )
    return missing is None


def roc_curve_points(
    labels: np.ndarray, scores: np.ndarray
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC curve with one point per distinct threshold plus the origin
    (``sklearn.metrics.roc_curve`` without dropping points).

    Args:
        labels (np.ndarray): Binary frame labels, shape ``(N,)``; both
            classes must be present.
        scores (np.ndarray): Frame scores, shape ``(N,)``.

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: ``fpr``, ``tpr`` (shape
        ``(D + 1,)``, from (0, 0) to (1, 1)) and ``thresholds`` (shape
        ``(D + 1,)``, the first is ``inf``).
    """
    labels, scores = _check_inputs(labels, scores)
    if not labels.any() or labels.all():
        raise ValueError(
            'the ROC curve needs both anomalous and normal frames'
        )
    return skm.roc_curve(labels, scores, drop_intermediate=False)


def pr_curve_points(
    labels: np.ndarray, scores: np.ndarray
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision-recall curve, starting at (recall 0, precision 1).

    Args:
        labels (np.ndarray): Binary frame labels, shape ``(N,)``; at least
            one anomalous frame.
        scores (np.ndarray): Frame scores, shape ``(N,)``.

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: ``precision``,
        ``recall`` (shape ``(D + 1,)``, recall non-decreasing) and
        ``thresholds`` (shape ``(D + 1,)``, the first is ``inf``).
    """
    labels, scores = _check_inputs(labels, scores)
    if not labels.any():
        raise ValueError('the PR curve needs anomalous frames')
    precision, recall, thresholds = skm.precision_recall_curve(labels, scores)
    # sklearn lists recall decreasing and ends at (recall 0, precision 1)
    return (
        precision[::-1],
        recall[::-1],
        np.concatenate([[np.inf], thresholds[::-1]]),
    )


def curve_auc(x: np.ndarray, y: np.ndarray) -> float:
    """Area under a curve by the trapezoidal rule (``sklearn.metrics.auc``).

    Args:
        x (np.ndarray): Abscissae, shape ``(M,)``, monotonic (increasing or
            decreasing), e.g. false-positive rates.
        y (np.ndarray): Ordinates, shape ``(M,)``, e.g. true-positive rates.

    Returns:
        float: The area, positive for a curve traversed with decreasing
        ``x`` too.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(
            'x and y must have the same length >= 2, got '
            f'{x.shape} and {y.shape}'
        )
    dx = np.diff(x)
    if (dx < 0).any() and (dx > 0).any():
        raise ValueError('x must be monotonic')
    return float(skm.auc(x, y))


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Frame-level area under the ROC curve
    (``sklearn.metrics.roc_auc_score``).

    Args:
        labels (np.ndarray): Binary frame labels, shape ``(N,)``.
        scores (np.ndarray): Frame scores, shape ``(N,)``.

    Returns:
        float: The AUC; NaN (with a warning) if either class is absent.
    """
    labels, scores = _check_inputs(labels, scores)
    if not _has_classes(labels, 'AUC', need_normal=True):
        return math.nan
    return float(skm.roc_auc_score(labels, scores))


def average_precision(
    labels: np.ndarray, scores: np.ndarray, convention: str = 'sklearn'
) -> float:
    """Frame-level average precision.

    Args:
        labels (np.ndarray): Binary frame labels, shape ``(N,)``.
        scores (np.ndarray): Frame scores, shape ``(N,)``.
        convention (str): ``'sklearn'`` (default):
            ``sklearn.metrics.average_precision_score``, the sum of the
            precision at each threshold weighted by the recall increase.
            ``'pr_auc'``: ``sklearn.metrics.auc(recall, precision)`` on
            ``precision_recall_curve``, the trapezoidal area under the PR
            curve including the point (recall 0, precision 1).

    Returns:
        float: The AP; NaN (with a warning) without anomalous frames.
    """
    if convention not in AP_CONVENTIONS:
        raise ValueError(
            f'convention must be one of {AP_CONVENTIONS}, got {convention!r}'
        )
    labels, scores = _check_inputs(labels, scores)
    if not _has_classes(labels, 'AP', need_normal=False):
        return math.nan
    if convention == 'sklearn':
        return float(skm.average_precision_score(labels, scores))
    precision, recall, _ = skm.precision_recall_curve(labels, scores)
    return float(skm.auc(recall, precision))


def far_at_threshold(
    normal_scores: np.ndarray, threshold: float = 0.5
) -> float:
    """False-alarm rate: fraction of normal frames scoring ``>= threshold``.

    Args:
        normal_scores (np.ndarray): Scores of the frames of normal videos,
            shape ``(M,)``.
        threshold (float): Decision threshold. Defaults to 0.5.

    Returns:
        float: The FAR in [0, 1]; NaN (with a warning) if ``M == 0``.
    """
    normal_scores = np.asarray(normal_scores, dtype=np.float64).reshape(-1)
    if normal_scores.size == 0:
        warnings.warn(
            'FAR is undefined without normal-video frames; returning NaN'
        )
        return math.nan
    return float(
        np.count_nonzero(normal_scores >= threshold) / normal_scores.size
    )


def recall_threshold(
    labels: np.ndarray, scores: np.ndarray, recall: float = 0.95
) -> float:
    """Largest threshold whose frame recall reaches ``recall``.

    Frame recall at ``t`` is the fraction of anomalous frames scoring
    ``>= t``. The result is the ``k``-th largest anomalous score with ``k``
    the smallest count such that ``k / P >= recall`` (``P`` anomalous
    frames).

    Args:
        labels (np.ndarray): Binary frame labels, shape ``(N,)``.
        scores (np.ndarray): Frame scores, shape ``(N,)``.
        recall (float): Target recall in (0, 1]. Defaults to 0.95.

    Returns:
        float: The threshold; NaN (with a warning) without anomalous frames.
    """
    if not 0.0 < recall <= 1.0:
        raise ValueError(f'recall must be in (0, 1], got {recall}')
    labels, scores = _check_inputs(labels, scores)
    pos = np.sort(scores[labels])[::-1]
    num_pos = pos.size
    if num_pos == 0:
        warnings.warn(
            'the recall threshold is undefined without anomalous '
            'frames; returning NaN'
        )
        return math.nan
    # smallest k with k / P >= recall, evaluated exactly as the definition
    k = min(max(int(math.ceil(recall * num_pos)), 1), num_pos)
    while k > 1 and (k - 1) / num_pos >= recall:
        k -= 1
    while k < num_pos and k / num_pos < recall:
        k += 1
    return float(pos[k - 1])


def far_at_recall(
    labels: np.ndarray,
    scores: np.ndarray,
    normal_mask: np.ndarray,
    recall: float = 0.95,
) -> Tuple[float, float]:
    """False-alarm rate at the largest threshold reaching a frame recall.

    FAR@95 (``recall=0.95``) is the fraction of the frames of normal videos
    that score ``>=`` :func:`recall_threshold` (``labels``, ``scores``,
    0.95).

    Args:
        labels (np.ndarray): Binary frame labels of the pool, shape ``(N,)``.
        scores (np.ndarray): Frame scores of the pool, shape ``(N,)``.
        normal_mask (np.ndarray): Bool, shape ``(N,)``: True on the frames
            of normal videos (the FAR population).
        recall (float): Target frame recall. Defaults to 0.95.

    Returns:
        tuple[float, float]: ``(far, threshold)``; NaN where undefined.
    """
    labels, scores = _check_inputs(labels, scores)
    normal_mask = np.asarray(normal_mask, dtype=bool).reshape(-1)
    if normal_mask.shape != scores.shape:
        raise ValueError(
            f'normal_mask {normal_mask.shape} and scores '
            f'{scores.shape} must have the same length'
        )
    threshold = recall_threshold(labels, scores, recall)
    if math.isnan(threshold):
        return math.nan, math.nan
    return far_at_threshold(scores[normal_mask], threshold), threshold


def per_class_roc_auc(
    labels: Sequence[np.ndarray],
    scores: Sequence[np.ndarray],
    class_names: Sequence[str],
    is_anomalous: Sequence[bool],
) -> Dict[str, float]:
    """Per-class frame AUC.

    The AUC of class ``c`` is computed over the frames of the anomalous
    videos of class ``c`` together with the frames of **all normal
    videos**, so that each class is ranked against the same normal pool.

    Args:
        labels (Sequence[np.ndarray]): Per-video binary labels, each
            ``(n_v,)``.
        scores (Sequence[np.ndarray]): Per-video scores, each ``(n_v,)``.
        class_names (Sequence[str]): Per-video class name.
        is_anomalous (Sequence[bool]): Per-video flag; False marks the normal
            videos.

    Returns:
        dict[str, float]: Class name to AUC for every class that has an
        anomalous video, sorted by name.
    """
    if not len(labels) == len(scores) == len(class_names) == len(is_anomalous):
        raise ValueError(
            'labels, scores, class_names and is_anomalous must '
            'have one entry per video'
        )
    normal = [i for i, a in enumerate(is_anomalous) if not a]
    classes = sorted({c for c, a in zip(class_names, is_anomalous) if a})
    results: Dict[str, float] = {}
    for cls in classes:
        idx = [
            i
            for i, (c, a) in enumerate(zip(class_names, is_anomalous))
            if a and c == cls
        ] + normal
        results[cls] = roc_auc(
            np.concatenate([np.asarray(labels[i]).reshape(-1) for i in idx]),
            np.concatenate([np.asarray(scores[i]).reshape(-1) for i in idx]),
        )
    return results
