from .gather import GatherLayer, gather_no_grad, gather_with_grad, text_ids

__all__ = ['GatherLayer', 'gather_no_grad', 'gather_with_grad', 'text_ids']
