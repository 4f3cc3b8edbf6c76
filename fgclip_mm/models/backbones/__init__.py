from .open_clip_backbone import (OpenCLIPBackbone, load_clip_weights,
                                 tiny_clip_arch, value_only_block,
                                 vit_global_and_dense)

__all__ = [
    'OpenCLIPBackbone', 'load_clip_weights', 'tiny_clip_arch',
    'value_only_block', 'vit_global_and_dense'
]
