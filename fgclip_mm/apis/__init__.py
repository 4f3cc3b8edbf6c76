"""Inference on video files (MMAction2-style ``apis``)."""

from .inference import (
    ScoredChunk,
    init_vad_model,
    iter_inference_vad,
    online_latency,
)
from .prompts import set_prompts
from .results import VADResult, find_segments, inference_vad, region_heatmaps

__all__ = [
    'ScoredChunk',
    'VADResult',
    'find_segments',
    'inference_vad',
    'init_vad_model',
    'iter_inference_vad',
    'online_latency',
    'region_heatmaps',
    'set_prompts',
]
