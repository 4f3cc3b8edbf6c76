"""Zero-shot CLIP scoring of snippet features against class prompts."""

from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule

DEFAULT_VIDEO_TEMPLATES = (
    'a video of {}.',
    'a photo of {}.',
    'a surveillance video of {}.',
)


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
        class_prompts (dict[str, Sequence[str]], optional): the sentences of
            each class (keys = ``classes``), used instead of ``templates``
            (e.g. the captions a CLIP was trained on).
        class_embeddings (Tensor, optional): (K, D) ready class embeddings
            (used instead of the text tower; e.g. loaded from a file).
        logit_scale (float, optional): defaults to the CLIP's own
            ``exp(logit_scale)`` (100 for trained CLIPs), or 100 without a
            text tower.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
        self,
        classes: Sequence[str],
        text_encoder: Optional[Dict] = None,
        templates: Sequence[str] = DEFAULT_VIDEO_TEMPLATES,
        class_prompts: Optional[Dict[str, Sequence[str]]] = None,
        class_embeddings: Optional[torch.Tensor] = None,
        logit_scale: Optional[float] = None,
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(classes) < 2:
            raise ValueError(
                'zero-shot CLIP needs the normal class and at '
                'least one anomaly class'
            )
        if text_encoder is None and class_embeddings is None:
            raise ValueError('give text_encoder or class_embeddings')
        self.classes = list(classes)
        self.templates = list(templates)
        if class_prompts is not None and set(class_prompts) != set(classes):
            raise ValueError(
                f'class_prompts keys {sorted(class_prompts)} '
                f'are not the classes {sorted(classes)}'
            )
        self.class_prompts = class_prompts
        self.text_encoder = None
        if text_encoder is not None:
            self.text_encoder = MODELS.build(
                dict(
                    text_encoder,
                    frozen=True,
                    freeze_text=True,
                    prompt_context=0,
                )
            )
        if logit_scale is None:
            logit_scale = (
                float(self.text_encoder.clip.logit_scale.exp())
                if self.text_encoder is not None
                else 100.0
            )
        self.logit_scale = logit_scale
        self.register_buffer(
            'class_embeddings',
            self._given_embeddings(class_embeddings),
            persistent=False,
        )
        for param in self.parameters():
            param.requires_grad = False

    def _given_embeddings(self, class_embeddings) -> Optional[torch.Tensor]:
        """``class_embeddings`` normalised and checked against the classes."""
        if class_embeddings is None:
            return None
        emb = torch.as_tensor(class_embeddings, dtype=torch.float32)
        if emb.shape[0] != len(self.classes):
            raise ValueError(
                f'{emb.shape[0]} class embeddings for '
                f'{len(self.classes)} classes'
            )
        return F.normalize(emb, dim=-1)

    def init_weights(self) -> None:
        """CLIP weights come from the text encoder's ``pretrained``."""

    @torch.no_grad()
    def prompt_embeddings(self) -> torch.Tensor:
        """(K, D) normalised class embeddings, encoded on first use."""
        if self.class_embeddings is None:
            self.class_embeddings = torch.stack(
                [self._ensemble(self._sentences(c)) for c in self.classes]
            )
        return self.class_embeddings

    def _sentences(self, name: str) -> list:
        if self.class_prompts is not None:
            return list(self.class_prompts[name])
        return [t.format(name) for t in self.templates]

    def _ensemble(self, sentences: list) -> torch.Tensor:
        """(D,) normalised mean of the normalised sentence embeddings."""
        emb = F.normalize(
            self.text_encoder.encode_text(sentences).float(), dim=-1
        )
        return F.normalize(emb.mean(dim=0), dim=-1)

    def forward(
        self,
        feats: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
        num_crops: int = 1,
    ) -> Dict[str, torch.Tensor]:
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
