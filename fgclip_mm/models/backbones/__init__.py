from .hf_clip_conversion import hf_clip_to_open_clip
from .open_clip_backbone import (
    OpenCLIPBackbone,
    encode_text_with_context,
    load_clip_weights,
    tiny_clip_arch,
    value_only_block,
    vit_global_and_dense,
)

__all__ = [
    'OpenCLIPBackbone',
    'encode_text_with_context',
    'hf_clip_to_open_clip',
    'load_clip_weights',
    'tiny_clip_arch',
    'value_only_block',
    'vit_global_and_dense',
]
