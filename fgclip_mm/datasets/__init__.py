from .annotation_records import RecordBuilder
from .class_resolver import ClassResolver
from .samplers import *  # noqa: F401,F403
from .snippet_feature_dataset import SnippetFeatureDataset
from .test_clips import cover_video_with_clips, expand_clips
from .timestamp_segment_dataset import TimestampSegmentDataset
from .transforms import *  # noqa: F401,F403
from .video_io import (
    DecordReader,
    PyAVReader,
    VideoReader,
    VideoReadError,
    get_num_frames,
    open_video,
)
from .video_paths import VideoPathResolver

__all__ = [
    'ClassResolver',
    'DecordReader',
    'PyAVReader',
    'RecordBuilder',
    'SnippetFeatureDataset',
    'TimestampSegmentDataset',
    'VideoPathResolver',
    'VideoReadError',
    'VideoReader',
    'cover_video_with_clips',
    'expand_clips',
    'get_num_frames',
    'open_video',
]
