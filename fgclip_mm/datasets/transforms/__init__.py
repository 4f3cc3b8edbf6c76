from .boxes import (GenerateRegionBoxes, interpolate_region_boxes,
                    sanitize_boxes)
from .formatting import PackFGCLIPInputs
from .loading import (DecodeSampledFrames, SampleAnnotatedFrames,
                      VideoReaderInit, read_frames, target_size)
from .processing import (CenterCropWithBoxes, FlipWithBoxes,
                         RandomCropWithBoxes, RandomResizedCropWithBoxes,
                         ResizeFrames, crop_boxes)

__all__ = [
    'CenterCropWithBoxes', 'DecodeSampledFrames', 'FlipWithBoxes',
    'GenerateRegionBoxes', 'PackFGCLIPInputs', 'RandomCropWithBoxes',
    'RandomResizedCropWithBoxes', 'ResizeFrames', 'SampleAnnotatedFrames',
    'VideoReaderInit', 'crop_boxes', 'interpolate_region_boxes', 'read_frames',
    'sanitize_boxes', 'target_size'
]
