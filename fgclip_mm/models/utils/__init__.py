from .gather import GatherLayer, gather_no_grad, gather_with_grad, text_ids
from .logit_scales import LogitScales

__all__ = [
    'GatherLayer',
    'LogitScales',
    'gather_no_grad',
    'gather_with_grad',
    'text_ids',
]
