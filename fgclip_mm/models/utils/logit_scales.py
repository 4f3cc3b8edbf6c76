"""The learnable softmax temperatures of the global and regional levels."""

import math
from typing import Tuple

import torch
import torch.nn as nn
from mmaction.registry import MODELS


@MODELS.register_module()
class LogitScales(nn.Module):
    """Log-scales of the global and regional levels, clamped, exponentiated.

    The model owns its temperatures (as open_clip's ``CLIP.logit_scale``) and
    passes them to the contrastive loss at training time and to the prompt
    scorer at test time.

    Args:
        init (float): initial log-scale of both levels. Defaults to ln(100).
        max (float): the log-scales are clamped to ``[0, max]`` before
            ``exp``. Defaults to ln(100).
        learnable (bool): learn the scales (parameters); otherwise they are
            fixed buffers. Defaults to True.
    """

    def __init__(
        self,
        init: float = math.log(100.0),
        max: float = math.log(100.0),
        learnable: bool = True,
    ) -> None:
        super().__init__()
        self.max = max
        self.learnable = learnable
        for name in ('global_log_scale', 'region_log_scale'):
            value = torch.tensor(float(init))
            if learnable:
                self.register_parameter(name, nn.Parameter(value))
            else:
                self.register_buffer(name, value)

    def scale(self, level: str) -> torch.Tensor:
        """Exponentiated clamped scale (scalar) of ``level``.

        Args:
            level (str): ``'global'`` or ``'region'``.
        """
        if level not in ('global', 'region'):
            raise ValueError(
                f"level must be 'global' or 'region', got {level!r}"
            )
        log_scale = getattr(self, f'{level}_log_scale')
        return log_scale.clamp(0, self.max).exp()

    def forward(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """The (global, region) scales, scalars, exponentiated and clamped."""
        return self.scale('global'), self.scale('region')
