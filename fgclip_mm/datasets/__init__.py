from .annotations import (AnnotationError, cover_video_with_clips,
                          load_video_names, parse_ucf_test_annotations,
                          video_stem)
from .timestamp_segment_dataset import (UCF_CRIME_CLASSES,
                                        TimestampSegmentDataset)
from .transforms import *  # noqa: F401,F403
from .video_io import (DecordReader, PyAVReader, VideoReader, VideoReadError,
                       get_num_frames, open_video)

__all__ = [
    'AnnotationError', 'DecordReader', 'PyAVReader', 'TimestampSegmentDataset',
    'UCF_CRIME_CLASSES', 'VideoReadError', 'VideoReader',
    'cover_video_with_clips', 'get_num_frames', 'load_video_names',
    'open_video', 'parse_ucf_test_annotations', 'video_stem'
]
