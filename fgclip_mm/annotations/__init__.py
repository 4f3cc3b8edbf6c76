"""Annotation I/O shared by the datasets, the metrics and the tools.

Nothing here imports torch, MMAction2 or another fgclip_mm package: the
datasets (``fgclip_mm.datasets``) and the evaluation
(``fgclip_mm.evaluation``) both import from here, never from each other.
"""

from .base import (
    MAX_INT,
    REASON_CODES,
    VIDEO_EXTENSIONS,
    AnnotationError,
    iter_lines,
    open_text,
    parse_int,
    read_lines,
    read_text,
    to_int,
    video_id_of,
    video_stem,
)
from .class_names import (
    DEMO_CLASSES,
    EQUIVALENT_CLASSES,
    MSAD_CLASSES,
    SHANGHAITECH_CLASSES,
    UCF_CRIME_CLASSES,
    UCF_MSAD_CLASSES,
    XD_VIOLENCE_CLASSES,
    XD_VIOLENCE_LABEL_CODES,
    class_text,
    equivalent_class_aliases,
    get_classes,
    is_normal_class,
    merge_classes,
)
from .fgclip_json import (
    DUPLICATE_ENTRY_POLICIES,
    load_json_entries,
    repair_count_mismatch,
    repeated_entry,
    validate_fgclip_entry,
)
from .msad import (
    msad_class_of,
    msad_video_name,
    parse_msad_annotations,
    read_msad_split,
)
from .shanghaitech import load_shanghaitech_masks, parse_shanghaitech_split
from .ucf_crime import (
    format_ucf_line,
    parse_intervals,
    parse_ucf_crime_annotations,
    parse_ucf_test_annotations,
    read_ucf_annotation_lines,
)
from .video_lists import load_video_names, read_lengths, read_video_list
from .xd_violence import (
    is_xd_violence_normal,
    parse_xd_violence_annotations,
    xd_violence_labels,
)

__all__ = [
    'AnnotationError',
    'VIDEO_EXTENSIONS',
    'video_stem',
    'open_text',
    'iter_lines',
    'to_int',
    'parse_int',
    'read_lines',
    'read_text',
    'video_id_of',
    'MAX_INT',
    'UCF_CRIME_CLASSES',
    'XD_VIOLENCE_LABEL_CODES',
    'XD_VIOLENCE_CLASSES',
    'SHANGHAITECH_CLASSES',
    'DEMO_CLASSES',
    'get_classes',
    'is_normal_class',
    'class_text',
    'load_json_entries',
    'validate_fgclip_entry',
    'repair_count_mismatch',
    'repeated_entry',
    'DUPLICATE_ENTRY_POLICIES',
    'parse_shanghaitech_split',
    'load_shanghaitech_masks',
    'parse_intervals',
    'read_ucf_annotation_lines',
    'parse_ucf_crime_annotations',
    'parse_ucf_test_annotations',
    'format_ucf_line',
    'read_video_list',
    'read_lengths',
    'load_video_names',
    'is_xd_violence_normal',
    'xd_violence_labels',
    'parse_xd_violence_annotations',
    'REASON_CODES',
    'MSAD_CLASSES',
    'UCF_MSAD_CLASSES',
    'EQUIVALENT_CLASSES',
    'equivalent_class_aliases',
    'merge_classes',
    'msad_class_of',
    'msad_video_name',
    'parse_msad_annotations',
    'read_msad_split',
]
