from .open_clip_backbone import (OpenCLIPBackbone, load_clip_weights,
                                 tiny_clip_arch, value_only_block,
                                 vit_global_and_dense)

__all__ = [
    'OpenCLIPBackbone', 'load_clip_weights', 'tiny_clip_arch',
    'value_only_block', 'vit_global_and_dense'
]
from .hf_clip_conversion import hf_clip_to_open_clip  # noqa: E402

__all__ += ['hf_clip_to_open_clip']
