"""Pure functions of VAD evaluation: benchmark ground truth, protocols,
metrics and result dumps, shared by :class:`VADMetric` and the tools (the
file readers are in :mod:`fgclip_mm.annotations`)."""

from .benchmarks import BENCHMARKS, is_normal_video, load_test_annotations
from .dump import (
    DUMP_FORMAT_VERSION,
    load_vad_dump,
    save_vad_dump,
    update_vad_dump_meta,
)
from .ground_truth import (
    INTERVAL_CONVENTIONS,
    build_ground_truth,
    build_video_labels,
    concat_in_order,
    intervals_to_labels,
    labels_to_intervals,
    protocol_length,
)
from .protocols import (
    INTERP_MODES,
    PROTOCOLS,
    apply_protocol,
    average_duplicate_frames,
    expand_frame_scores,
    repeat_snippet_scores,
    segment_mean_scores,
    snippet_mean_scores,
)
from .smoothing import (
    SMOOTH_EDGE_MODE,
    check_smooth_kernel,
    merged_frame_scores,
    smooth_video_scores,
)
from .vad_metrics import (
    AP_CONVENTIONS,
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

__all__ = [
    'BENCHMARKS',
    'is_normal_video',
    'load_test_annotations',
    'DUMP_FORMAT_VERSION',
    'load_vad_dump',
    'save_vad_dump',
    'update_vad_dump_meta',
    'INTERVAL_CONVENTIONS',
    'build_ground_truth',
    'build_video_labels',
    'concat_in_order',
    'intervals_to_labels',
    'labels_to_intervals',
    'protocol_length',
    'INTERP_MODES',
    'PROTOCOLS',
    'apply_protocol',
    'average_duplicate_frames',
    'expand_frame_scores',
    'repeat_snippet_scores',
    'segment_mean_scores',
    'snippet_mean_scores',
    'SMOOTH_EDGE_MODE',
    'check_smooth_kernel',
    'merged_frame_scores',
    'smooth_video_scores',
    'AP_CONVENTIONS',
    'average_precision',
    'curve_auc',
    'far_at_recall',
    'far_at_threshold',
    'per_class_roc_auc',
    'pr_curve_points',
    'recall_threshold',
    'roc_auc',
    'roc_curve_points',
]
