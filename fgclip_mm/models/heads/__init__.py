from .prompt_anomaly_scorer import PromptAnomalyScorer, grid_boxes, smooth_scores
from .region_head import RoIRegionHead, boxes_to_rois
from .temporal_adapter import TemporalAdapter

__all__ = [
    'PromptAnomalyScorer', 'RoIRegionHead', 'TemporalAdapter', 'boxes_to_rois',
    'grid_boxes', 'smooth_scores'
]
