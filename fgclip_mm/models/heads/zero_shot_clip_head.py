"""Zero-shot CLIP scoring of snippet features against class prompts."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

DEFAULT_VIDEO_TEMPLATES = ('a video of {}.', 'a photo of {}.',
                           'a surveillance video of {}.')


@MODELS.register_module()
class ZeroShotCLIPHead(BaseModule):
    """Snippet anomaly score ``1 - p(normal)`` from CLIP class prompts.

    The prompts of every class (``templates`` filled with the class name)
    are encoded once by the frozen CLIP text tower, averaged per class
    (each sentence L2-normalised, then the mean normalised again: CLIP's
    prompt ensembling, Radford et al., ICML 2021, Sec. 3.1.4). Each snippet
    feature (a CLIP frame embedding) is L2-normalised and
    ``p = softmax(logit_scale * cos(x, t_k))`` over [normal, classes...];
    the score is ``1 - p_0``. Nothing is trained.

    Args:
        classes (Sequence[str]): class names, the first is normal.
        text_encoder (dict, optional): :class:`OpenCLIPBackbone` config.
        templates (Sequence[str]): prompt templates with one ``{}``.
        class_embeddings (Tensor, optional): (K, D) ready class embeddings
            (used instead of the text tower; e.g. loaded from a file).
        logit_scale (float, optional): defaults to the CLIP's own
            ``exp(logit_scale)`` (100 for trained CLIPs), or 100 without a
            text tower.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 classes: Sequence[str],
                 text_encoder: Optional[Dict] = None,
                 templates: Sequence[str] = DEFAULT_VIDEO_TEMPLATES,
                 class_embeddings: Optional[torch.Tensor] = None,
                 logit_scale: Optional[float] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(classes) < 2:
            raise ValueError('zero-shot CLIP needs the normal class and at '
                             'least one anomaly class')
        if text_encoder is None and class_embeddings is None:
            raise ValueError('give text_encoder or class_embeddings')
        self.classes = list(classes)
        self.templates = list(templates)
        self.text_encoder = (MODELS.build(
            dict(text_encoder, frozen=True, freeze_text=True,
                 prompt_context=0)) if text_encoder is not None else None)
        if logit_scale is None:
            logit_scale = (float(self.text_encoder.clip.logit_scale.exp())
                           if self.text_encoder is not None else 100.)
        self.logit_scale = logit_scale
        self.register_buffer(
            'class_embeddings',
            None if class_embeddings is None else F.normalize(
                torch.as_tensor(class_embeddings, dtype=torch.float32),
                dim=-1),
            persistent=False)
        if (self.class_embeddings is not None
                and self.class_embeddings.shape[0] != len(self.classes)):
            raise ValueError(
                f'{self.class_embeddings.shape[0]} class embeddings for '
                f'{len(self.classes)} classes')
        for param in self.parameters():
            param.requires_grad = False

    def init_weights(self) -> None:
        """CLIP weights come from the text encoder's ``pretrained``."""

    @torch.no_grad()
    def prompt_embeddings(self) -> torch.Tensor:
        """(K, D) normalised class embeddings, encoded on first use."""
        if self.class_embeddings is None:
            sentences = [t.format(c) for c in self.classes
                         for t in self.templates]
            emb = F.normalize(
                self.text_encoder.encode_text(sentences).float(), dim=-1)
            emb = emb.reshape(len(self.classes), len(self.templates), -1)
            self.class_embeddings = F.normalize(emb.mean(dim=1), dim=-1)
        return self.class_embeddings

    def forward(self,
                feats: torch.Tensor,
                mask: Optional[torch.Tensor] = None,
                num_crops: int = 1) -> Dict[str, torch.Tensor]:
        """Score snippets.

        Args:
            feats (Tensor): (N, T, D) CLIP snippet features.
            mask (Tensor, optional): unused.
            num_crops (int): unused (the recognizer averages crop scores).

        Returns:
            dict: ``class_probs`` (N, T, K) and ``scores`` (N, T).
        """
        text = self.prompt_embeddings().to(feats.device)
        logits = self.logit_scale * F.normalize(feats.float(), dim=-1) @ text.T
        probs = logits.softmax(dim=-1)
        return dict(class_probs=probs, scores=1 - probs[..., 0])
