"""VadCLIP-style dual-branch head (Wu et al., AAAI 2024)."""

from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule

from ..backbones import encode_text_with_context
from ..utils.snippet_ops import full_mask


def _mlp(dims: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(dims, 4 * dims), nn.GELU(), nn.Linear(4 * dims, dims)
    )


@MODELS.register_module()
class VadCLIPHead(BaseModule):
    """LGT-Adapter, C-branch classifier and A-branch prompt alignment.

    Wu et al., "VadCLIP", AAAI 2024:

    * Sec. 3.2: the frozen CLIP frame features X go through the
      :class:`LGTAdapter`.
    * Sec. 3.3 C-branch: ``logits = FC(X + MLP(X))``, the snippet anomaly
      confidence is ``A = sigmoid(logits)``.
    * Sec. 3.3 A-branch: class prompts with learnable context (CoOp; here
      ``prompt_context`` vectors before the class name, VadCLIP also puts
      context after it) through the frozen CLIP text tower give ``T``
      (K, D). The anomaly-focus visual prompt ``V = Norm(A^T X)`` (mean of
      the snippets weighted by their confidence) is added to every class
      embedding, then ``T' = T + V + FFN(T + V)``; alignment logits are
      ``cos(X, T') / tau`` (tau = 0.07).

    Choice: ``A`` is the sigmoid confidence, as the paper writes; the public
    code weights with the raw logits.

    Args:
        in_channels (int): snippet feature dim D; must equal the CLIP
            text tower's embedding dim.
        classes (Sequence[str]): class names, first the normal class.
        text_encoder (dict): config of :class:`OpenCLIPBackbone` whose text
            tower encodes the prompts (kept frozen; weights from its
            ``pretrained``).
        adapter (dict, optional): :class:`LGTAdapter` overrides.
        prompt_context (int): learnable context vectors. Defaults to 8.
        temperature (float): tau. Defaults to 0.07.
        test_score (str): ``'binary'`` (C-branch sigmoid, the paper's
            coarse-grained score, default) or ``'align'`` (1 - softmax
            probability of the normal class from the A-branch).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
        self,
        in_channels: int,
        classes: Sequence[str],
        text_encoder: Dict,
        adapter: Optional[Dict] = None,
        prompt_context: int = 8,
        temperature: float = 0.07,
        test_score: str = 'binary',
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(classes) < 2:
            raise ValueError(
                'VadCLIPHead needs the normal class and at least '
                'one anomaly class'
            )
        if test_score not in ('binary', 'align'):
            raise ValueError(
                f"test_score must be 'binary' or 'align', got {test_score!r}"
            )
        self.classes = list(classes)
        self.text_encoder = MODELS.build(
            dict(text_encoder, frozen=True, freeze_text=True, prompt_context=0)
        )
        if self.text_encoder.embed_dim != in_channels:
            raise ValueError(
                f'VadCLIP features ({in_channels}) and the CLIP text tower '
                f'({self.text_encoder.embed_dim}) must have the same dim'
            )
        self.adapter = MODELS.build(
            dict(
                dict(type='LGTAdapter', embed_dims=in_channels),
                **(adapter or {}),
            )
        )
        self.mlp_visual = _mlp(in_channels)
        self.classifier = nn.Linear(in_channels, 1)
        self.mlp_text = _mlp(in_channels)
        width = self.text_encoder.clip.token_embedding.weight.shape[1]
        self.context = nn.Parameter(torch.randn(prompt_context, width) * 0.02)
        prefix = ' '.join(['X'] * prompt_context)
        self.prompts = [f'{prefix} {name}'.strip() for name in self.classes]
        self.temperature = temperature
        self.test_score = test_score

    def text_embeddings(self) -> torch.Tensor:
        """(K, D) class embeddings from the learnable prompts."""
        clip = self.text_encoder.clip
        tokens = self.text_encoder.tokenize(self.prompts)
        if self.context.shape[0] == 0:
            return clip.encode_text(tokens).float()
        return encode_text_with_context(clip, tokens, self.context).float()

    def forward(
        self,
        feats: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
        num_crops: int = 1,
    ) -> Dict[str, torch.Tensor]:
        """Run both branches.

        Args:
            feats (Tensor): (N, T, D) CLIP snippet features, one row per crop.
            mask (Tensor, optional): (N, T) real snippets.
            num_crops (int): unused (crops are separate bags).

        Returns:
            dict: ``logits`` (N, T) C-branch logits, ``class_logits``
            (N, T, K) A-branch alignment logits, ``text_embeddings`` (K, D),
            ``scores`` (N, T) test scores (see ``test_score``).
        """
        real = full_mask(feats[..., 0], mask)
        x = self.adapter(feats, real)  # (N, T, D)
        logits = self.classifier(x + self.mlp_visual(x)).squeeze(-1)
        conf = torch.sigmoid(logits) * real  # (N, T)
        visual_prompt = F.normalize(
            torch.einsum('nt,ntd->nd', conf, x), dim=-1
        )  # (N, D)
        text = self.text_embeddings()  # (K, D)
        prompted = text[None] + visual_prompt[:, None]  # (N, K, D)
        prompted = prompted + self.mlp_text(prompted)
        class_logits = (
            torch.einsum(
                'ntd,nkd->ntk',
                F.normalize(x, dim=-1),
                F.normalize(prompted, dim=-1),
            )
            / self.temperature
        )
        if self.test_score == 'binary':
            scores = torch.sigmoid(logits)
        else:
            scores = 1 - class_logits.softmax(dim=-1)[..., 0]
        return dict(
            logits=logits,
            class_logits=class_logits,
            text_embeddings=text,
            scores=scores,
        )
