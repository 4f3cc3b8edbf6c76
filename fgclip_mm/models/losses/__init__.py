from .arnet_loss import ARNetLoss
from .dual_contrastive_loss import DualContrastiveLoss, info_nce
from .mil_ranking_loss import MILRankingLoss
from .rtfm_loss import RTFMLoss
from .vadclip_loss import VadCLIPLoss

__all__ = [
    'ARNetLoss',
    'DualContrastiveLoss',
    'MILRankingLoss',
    'RTFMLoss',
    'VadCLIPLoss',
    'info_nce',
]
