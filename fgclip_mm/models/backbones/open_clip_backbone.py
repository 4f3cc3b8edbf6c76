"""open_clip ViT backbone with FG-CLIP dense patch features."""

import os
from typing import Dict, List, Optional, Sequence, Tuple, Union

import open_clip
import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule

from ...engine.checkpoints import (
    CheckpointError,
    StateDictDiff,
    checkpoint_file_problem,
    diff_state_dict,
)
from .open_clip_internals import (
    check_dense_vit,
    encode_text_with_context,
    patch_dropout_prob,
    value_only_block,
    vit_global_and_dense,
)


def _build_clip(arch: Union[str, Dict], force_quick_gelu: bool) -> nn.Module:
    """An open_clip ``CLIP`` with random weights from a name or kwargs."""
    if isinstance(arch, str):
        return open_clip.create_model(
            arch, pretrained=None, force_quick_gelu=force_quick_gelu
        )
    cfg = dict(arch)
    if force_quick_gelu:
        cfg['quick_gelu'] = True
    return open_clip.CLIP(**cfg)


def _build_pretrained_clip(
    arch: Union[str, Dict], pretrained: Optional[str], force_quick_gelu: bool
) -> nn.Module:
    """Build the CLIP and load ``pretrained`` (a file or an open_clip tag).

    See :class:`OpenCLIPBackbone` for the arguments.
    """
    clip = _build_clip(arch, force_quick_gelu)
    if not pretrained:
        return clip
    if os.path.exists(os.path.expanduser(pretrained)) or os.sep in pretrained:
        load_clip_weights(clip, pretrained)
        return clip
    if isinstance(arch, str):
        # a pretrained tag: open_clip downloads (online only)
        return open_clip.create_model(
            arch, pretrained=pretrained, force_quick_gelu=force_quick_gelu
        )
    raise FileNotFoundError(
        f'pretrained={pretrained!r} is neither a file nor usable as '
        'an open_clip tag for a custom architecture.'
    )


def load_clip_weights(model: nn.Module, path: str) -> None:
    """Load an open_clip or OpenAI CLIP state dict from a local file.

    Accepts plain state dicts, ``{'state_dict': ...}`` wrappers, ``module.``
    prefixes and ``.safetensors``; position embeddings of another resolution
    are interpolated (open_clip's own conversion). Weights-only unpickling.

    Args:
        model: the open_clip ``CLIP`` to fill.
        path (str): local file.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a CLIP checkpoint for this
            architecture (keys or shapes do not match); the message lists
            what differs.
        fgclip_mm.engine.CheckpointError: the file is empty, truncated,
            damaged or not a checkpoint at all.
    """
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'CLIP weights file not found: {path}')
    if path.endswith(('.pt', '.pth', '.bin')):  # torch.save files
        reason = checkpoint_file_problem(path, crc=False)
        if reason is not None:
            raise CheckpointError(f'Cannot read CLIP weights {path}: {reason}')
    try:
        incompatible = open_clip.load_checkpoint(
            model, path, strict=False, weights_only=True
        )
    except (RuntimeError, EOFError, OSError) as err:
        _raise_unloadable(model, path, err)
    missing = [k for k in incompatible.missing_keys if k != 'logit_bias']
    diff = StateDictDiff(
        missing=sorted(missing),
        unexpected=sorted(incompatible.unexpected_keys),
    )
    if diff:
        raise ValueError(
            f'{path} is not a CLIP checkpoint for this architecture: '
            f'{diff.describe()}. FG-CLIP checkpoints in Hugging Face layout '
            'must be converted first with tools/convert_fgclip_hf.py.'
        )


def _raise_unloadable(model: nn.Module, path: str, err: Exception) -> None:
    """Say why open_clip could not load ``path``: damaged file or shapes.

    Raises:
        CheckpointError: The file is truncated, damaged or not a checkpoint.
        ValueError: It loads but its tensors have other shapes (listed).
    """
    reason = None
    if not str(path).endswith('.safetensors'):
        reason = checkpoint_file_problem(path)
    if reason is not None or not isinstance(err, RuntimeError):
        raise CheckpointError(
            f'Cannot read CLIP weights {path}: {reason or err}. Copy or '
            'download the file again.'
        ) from None
    state = open_clip.factory.load_state_dict(path, weights_only=True)
    diff = diff_state_dict(model.state_dict(), state)
    raise ValueError(
        f'{path} does not fit this CLIP architecture: '
        f'{diff.describe() or str(err).splitlines()[0]}.'
    ) from None


@MODELS.register_module()
class OpenCLIPBackbone(BaseModule):
    """An open_clip CLIP (image and text towers) with FG-CLIP dense features.

    Args:
        arch (str | dict): an open_clip model name (``'ViT-B-16'``,
        ``'ViT-B-32'``,
            ``'ViT-L-14'``, ...) or the keyword arguments of ``open_clip.CLIP``
            (``embed_dim``, ``vision_cfg``, ``text_cfg``) for a custom (e.g.
            tiny) architecture.
        pretrained (str, optional): a local weights file (open_clip or OpenAI
            state dict, ``.pt``/``.bin``/``.safetensors``), or an open_clip
            pretrained tag (``'openai'``, ``'laion2b_s34b_b88k'``, ...) which
            open_clip downloads (needs network). None keeps random weights.
        force_quick_gelu (bool): use QuickGELU, required by OpenAI weights
            (or use a ``*-quickgelu`` arch name). Defaults to False.
        frozen (bool): freeze the image tower (kept in eval mode). An
            unfrozen tower must not use patch dropout (``vision_cfg``
            ``patch_dropout``): dense features need every patch. Defaults to
            True.
        freeze_text (bool): freeze the text tower. Defaults to True.
        context_length (int, optional): tokenizer context length; defaults
            to the text tower's.
        prompt_context (int): number of learnable context vectors prepended to
            every text (captions and prompts), trained even when the text tower
            is frozen. 0 disables prompt learning. Defaults to 0.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
        self,
        arch: Union[str, Dict] = 'ViT-B-16',
        pretrained: Optional[str] = None,
        force_quick_gelu: bool = False,
        frozen: bool = True,
        freeze_text: bool = True,
        context_length: Optional[int] = None,
        prompt_context: int = 0,
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = arch
        self.clip = _build_pretrained_clip(arch, pretrained, force_quick_gelu)
        check_dense_vit(self.clip.visual)
        if not frozen and patch_dropout_prob(self.clip.visual) > 0:
            raise ValueError(
                'OpenCLIPBackbone(frozen=False) cannot use patch dropout '
                f'(vision_cfg patch_dropout='
                f'{patch_dropout_prob(self.clip.visual)}): dense features '
                "need every patch token; set vision_cfg['patch_dropout']=0."
            )
        self.pretrained = pretrained
        self.frozen = frozen
        self.freeze_text = freeze_text
        self.context_length = context_length or self.clip.context_length
        self._tokenizer = (
            open_clip.get_tokenizer(arch, context_length=self.context_length)
            if isinstance(arch, str)
            else open_clip.SimpleTokenizer(context_length=self.context_length)
        )
        self.prompt_context = prompt_context
        if prompt_context > 0:
            width = self.clip.token_embedding.weight.shape[1]
            self.context_vectors = nn.Parameter(
                torch.randn(prompt_context, width) * 0.02
            )
        self._freeze()

    # ------------------------------------------------------------------ setup
    def init_weights(self) -> None:
        """Weights come from ``pretrained`` or open_clip's init: no-op.

        (mmengine's default init would overwrite CLIP's initialisation.)
        """

    def _freeze(self) -> None:
        for name, param in self.clip.named_parameters():
            if name.startswith('visual.'):
                param.requires_grad = not self.frozen
            elif name == 'logit_scale' or name == 'logit_bias':
                # the recognizer owns its scales (LogitScales)
                param.requires_grad = False
            else:
                param.requires_grad = not self.freeze_text
        if self.frozen:
            self.clip.visual.eval()

    def train(self, mode: bool = True) -> 'OpenCLIPBackbone':
        super().train(mode)
        if self.frozen:
            self.clip.visual.eval()
        if self.freeze_text:
            for name, module in self.clip.named_children():
                if name != 'visual':
                    module.eval()
        return self

    # ---------------------------------------------------------------- shapes
    @property
    def embed_dim(self) -> int:
        """Dimension D of the joint image-text space."""
        return self.clip.visual.proj.shape[1]

    @property
    def patch_grid(self) -> Tuple[int, int]:
        """(h, w) of the dense feature map at the configured image size."""
        return tuple(self.clip.visual.grid_size)

    @property
    def device(self) -> torch.device:
        """Device of the model's parameters."""
        return self.clip.visual.proj.device

    @property
    def image_size(self) -> Tuple[int, int]:
        """(H, W) input size of the image tower."""
        size = self.clip.visual.image_size
        return tuple(size) if isinstance(size, (tuple, list)) else (size, size)

    # --------------------------------------------------------------- forward
    def forward(
        self, images: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Encode frames.

        Args:
            images (Tensor): (N, 3, H, W) normalised frames.

        Returns:
            tuple[Tensor, Tensor]: global (N, D) and dense (N, D, h, w)
            embeddings,
            not normalised.
        """
        if self.frozen:
            with torch.no_grad():
                return vit_global_and_dense(self.clip.visual, images)
        return vit_global_and_dense(self.clip.visual, images)

    def tokenize(self, texts: Sequence[str]) -> torch.Tensor:
        """Tokenize texts to (M, context_length) int64 on the device."""
        tokens = self._tokenizer(list(texts))
        return tokens.to(self.device)

    @property
    def text_is_fixed(self) -> bool:
        """Text embeddings never change in training (so they may be cached)."""
        return self.freeze_text and self.prompt_context == 0

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor:
        """Encode texts to (M, D) embeddings (not normalised)."""
        if self.prompt_context > 0:
            # 'X' placeholders mark where the learnable context goes
            prefix = ' '.join(['X'] * self.prompt_context) + ' '
            tokens = self.tokenize([prefix + t for t in texts])
            return encode_text_with_context(
                self.clip, tokens, self.context_vectors
            )
        tokens = self.tokenize(texts)
        if self.freeze_text:
            with torch.no_grad():
                return self.clip.encode_text(tokens)
        return self.clip.encode_text(tokens)


def tiny_clip_arch(
    embed_dim: int = 64,
    image_size: int = 64,
    patch_size: int = 8,
    width: int = 64,
    layers: int = 2,
    heads: int = 4,
    context_length: int = 32,
) -> Dict:
    """A small ViT CLIP architecture for tests and the CPU demo.

    Returns:
        dict: keyword arguments of ``open_clip.CLIP`` (usable as ``arch``).
    """
    return dict(
        embed_dim=embed_dim,
        vision_cfg=dict(
            image_size=image_size,
            patch_size=patch_size,
            width=width,
            layers=layers,
            head_width=width // heads,
            mlp_ratio=2.0,
        ),
        text_cfg=dict(
            context_length=context_length,
            vocab_size=49408,
            width=width,
            heads=heads,
            layers=layers,
            mlp_ratio=2.0,
        ),
    )


__all__: List[str] = [
    'OpenCLIPBackbone',
    'vit_global_and_dense',
    'value_only_block',
    'encode_text_with_context',
    'load_clip_weights',
    'tiny_clip_arch',
]
