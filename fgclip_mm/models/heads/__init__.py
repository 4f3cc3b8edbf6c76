from .arnet_head import ARNetHead
from .lgt_adapter import LGTAdapter
from .mil_head import MILHead
from .prompt_anomaly_scorer import (
    PromptAnomalyScorer,
    grid_boxes,
    smooth_scores,
)
from .region_head import RoIRegionHead, boxes_to_rois
from .rtfm_head import RTFMHead
from .temporal_adapter import TemporalAdapter
from .vadclip_head import VadCLIPHead
from .zero_shot_clip_head import ZeroShotCLIPHead

__all__ = [
    'ARNetHead',
    'LGTAdapter',
    'MILHead',
    'RTFMHead',
    'VadCLIPHead',
    'ZeroShotCLIPHead',
    'PromptAnomalyScorer',
    'RoIRegionHead',
    'TemporalAdapter',
    'boxes_to_rois',
    'grid_boxes',
    'smooth_scores',
]
