from .boxes import (
    GenerateRegionBoxes,
    interpolate_region_boxes,
    sanitize_boxes,
)
from .captions import CaptionFlipper
from .formatting import PackFGCLIPInputs
from .loading import (
    DecodeSampledFrames,
    VideoReaderInit,
    read_frames,
    target_size,
)
from .processing import (
    CenterCropWithBoxes,
    FlipWithBoxes,
    RandomCropWithBoxes,
    RandomResizedCropWithBoxes,
    ResizeFrames,
    crop_boxes,
)
from .sampling import SampleAnnotatedFrames

__all__ = [
    'CaptionFlipper',
    'CenterCropWithBoxes',
    'DecodeSampledFrames',
    'FlipWithBoxes',
    'GenerateRegionBoxes',
    'PackFGCLIPInputs',
    'RandomCropWithBoxes',
    'RandomResizedCropWithBoxes',
    'ResizeFrames',
    'SampleAnnotatedFrames',
    'VideoReaderInit',
    'crop_boxes',
    'interpolate_region_boxes',
    'read_frames',
    'sanitize_boxes',
    'target_size',
]
from .snippet_features import (  # noqa: E402
    LoadSnippetFeatures,
    PackSnippetInputs,
    SampleSnippetSegments,
    SampleSnippetsMaxLen,
    segment_mean,
    snippet_intervals,
)

__all__ += [
    'LoadSnippetFeatures',
    'PackSnippetInputs',
    'SampleSnippetSegments',
    'SampleSnippetsMaxLen',
    'segment_mean',
    'snippet_intervals',
]
from .cached_features import (  # noqa: E402
    FGCLIPCacheInit,
    LoadFGCLIPCachedFeatures,
    SnapToCachedFrames,
)
from .formatting import PackFGCLIPCachedInputs  # noqa: E402

__all__ += [
    'FGCLIPCacheInit',
    'LoadFGCLIPCachedFeatures',
    'PackFGCLIPCachedInputs',
    'SnapToCachedFrames',
]
from .pseudo_region_boxes import GeneratePseudoRegionBoxes  # noqa: E402

__all__ += ['GeneratePseudoRegionBoxes']
