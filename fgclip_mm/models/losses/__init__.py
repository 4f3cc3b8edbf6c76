from .dual_contrastive_loss import DualContrastiveLoss, info_nce

__all__ = ['DualContrastiveLoss', 'info_nce']
