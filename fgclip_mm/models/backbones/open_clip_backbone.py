"""open_clip ViT backbone with FG-CLIP dense patch features."""
import os
from typing import Dict, List, Optional, Sequence, Tuple, Union

import open_clip
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS


def _standard_vit(visual: nn.Module) -> None:
    """Raise if ``visual`` is not a class-token open_clip ViT we can take apart."""
    needed = ('conv1', 'transformer', 'ln_post', 'proj', '_embeds')
    if not all(hasattr(visual, name) for name in needed):
        raise TypeError(
            f'{type(visual).__name__} is not an open_clip VisionTransformer; '
            'dense features need a ViT architecture (ViT-B-16, ViT-B-32, '
            'ViT-L-14, ...).')
    if getattr(visual, 'attn_pool', None) is not None or getattr(
            visual, 'pool_type', 'tok') != 'tok' or getattr(
                visual, 'final_ln_after_pool', False):
        raise TypeError('dense features support ViTs with class-token '
                        'pooling only (no attentional pooling).')


def value_only_block(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Run a ``ResidualAttentionBlock`` with its attention reduced to the value path.

    Every token attends only to itself, so the output of token ``i`` depends on
    token ``i`` alone (no token mixing); residuals and the MLP are kept. This is how
    FG-CLIP obtains patch tokens that live in the joint image-text space.

    Args:
        block: an open_clip ``ResidualAttentionBlock`` with ``nn.MultiheadAttention``.
        x (Tensor): tokens, shape (N, L, C), batch first.

    Returns:
        Tensor: shape (N, L, C).
    """
    attn = block.attn
    width = x.shape[-1]
    w_v = attn.in_proj_weight[2 * width:]
    b_v = attn.in_proj_bias[2 * width:] if attn.in_proj_bias is not None else None
    v = F.linear(block.ln_1(x), w_v, b_v)
    x = x + block.ls_1(attn.out_proj(v))
    x = x + block.ls_2(block.mlp(block.ln_2(x)))
    return x


def vit_global_and_dense(visual: nn.Module,
                         images: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """One ViT pass giving the global embedding and dense patch embeddings.

    The blocks before the last run once; the last block runs twice on the same input:
    normally (global class-token embedding) and value-only (dense tokens). Both go
    through ``ln_post`` and the visual projection, so both live in the joint space.

    This is the only function that reaches into open_clip's ViT internals.

    Args:
        visual: ``open_clip.transformer.VisionTransformer``.
        images (Tensor): shape (N, 3, H, W), normalised.

    Returns:
        tuple[Tensor, Tensor]: global embeddings (N, D) and dense embeddings
        (N, D, h, w) with ``h = H // patch``, ``w = W // patch``; not normalised.
    """
    _standard_vit(visual)
    n, _, height, width = images.shape
    x = visual._embeds(images)  # (N, 1 + h*w, C)
    transformer = visual.transformer
    batch_first = getattr(transformer, 'batch_first', True)
    blocks = transformer.resblocks
    if not batch_first:
        x = x.transpose(0, 1)
    for block in blocks[:-1]:
        x = block(x)
    if not batch_first:
        x = x.transpose(0, 1)
    last = blocks[-1]
    x_global = last(x if batch_first else x.transpose(0, 1))
    if not batch_first:
        x_global = x_global.transpose(0, 1)
    x_dense = value_only_block(last, x)  # (N, 1 + h*w, C)

    cls_token = visual.ln_post(x_global[:, 0])  # (N, C)
    patches = visual.ln_post(x_dense[:, 1:])  # (N, h*w, C)
    global_emb = cls_token @ visual.proj  # (N, D)
    dense = patches @ visual.proj  # (N, h*w, D)
    patch_h, patch_w = visual.patch_size if isinstance(
        visual.patch_size, (tuple, list)) else (visual.patch_size, ) * 2
    h, w = height // patch_h, width // patch_w
    dense = dense.reshape(n, h, w, -1).permute(0, 3, 1, 2).contiguous()
    return global_emb, dense


def encode_text_with_context(clip: nn.Module, tokens: torch.Tensor,
                              context: torch.Tensor) -> torch.Tensor:
    """open_clip's ``CLIP.encode_text`` with learnable context token embeddings.

    The token embeddings at positions ``1 .. n`` (right after the start token,
    where the tokenizer put ``n`` placeholder words) are replaced by ``context``
    (CoOp-style prompt learning); everything else is open_clip's text path.

    Args:
        clip: an open_clip ``CLIP`` (text tower in the top-level module).
        tokens (Tensor): (M, L) token ids, placeholders at positions 1..n.
        context (Tensor): (n, width) context embeddings.

    Returns:
        Tensor: (M, D) text embeddings, not normalised.
    """
    cast_dtype = clip.transformer.get_cast_dtype()
    x = clip.token_embedding(tokens).to(cast_dtype)  # (M, L, width)
    n = context.shape[0]
    ctx = context.to(cast_dtype).unsqueeze(0).expand(x.shape[0], -1, -1)
    x = torch.cat([x[:, :1], ctx, x[:, 1 + n:]], dim=1)
    x = x + clip.positional_embedding.to(cast_dtype)
    x = clip.transformer(x, attn_mask=clip.attn_mask)
    x = clip.ln_final(x)
    x = open_clip.transformer.text_global_pool(
        x, tokens, clip.text_pool_type,
        eos_token_id=getattr(clip, 'text_eos_id', None))
    if isinstance(clip.text_projection, nn.Linear):
        return clip.text_projection(x)
    return x @ clip.text_projection


def _build_clip(arch: Union[str, Dict], force_quick_gelu: bool) -> nn.Module:
    if isinstance(arch, str):
        return open_clip.create_model(
            arch, pretrained=None, force_quick_gelu=force_quick_gelu)
    cfg = dict(arch)
    if force_quick_gelu:
        cfg['quick_gelu'] = True
    return open_clip.CLIP(**cfg)


def load_clip_weights(model: nn.Module, path: str) -> None:
    """Load an open_clip or OpenAI CLIP state dict from a local file.

    Accepts plain state dicts, ``{'state_dict': ...}`` wrappers, ``module.``
    prefixes and ``.safetensors``; position embeddings of another resolution are
    interpolated (open_clip's own conversion). Weights-only unpickling.

    Args:
        model: the open_clip ``CLIP`` to fill.
        path (str): local file.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a CLIP checkpoint for this architecture (keys
            or shapes do not match); the message lists what differs.
    """
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'CLIP weights file not found: {path}')
    try:
        incompatible = open_clip.load_checkpoint(
            model, path, strict=False, weights_only=True)
    except RuntimeError as err:  # shape mismatch
        raise ValueError(
            f'{path} does not fit this CLIP architecture: {err}') from None
    missing = [k for k in incompatible.missing_keys if k != 'logit_bias']
    if missing or incompatible.unexpected_keys:
        raise ValueError(
            f'{path} is not a CLIP checkpoint for this architecture: '
            f'{len(missing)} missing keys (e.g. {missing[:3]}), '
            f'{len(incompatible.unexpected_keys)} unexpected keys '
            f'(e.g. {incompatible.unexpected_keys[:3]}). FG-CLIP checkpoints in '
            'Hugging Face layout must be converted first with '
            'tools/convert_fgclip_hf.py.')


@MODELS.register_module()
class OpenCLIPBackbone(BaseModule):
    """An open_clip CLIP (image and text towers) with FG-CLIP dense features.

    Args:
        arch (str | dict): an open_clip model name (``'ViT-B-16'``, ``'ViT-B-32'``,
            ``'ViT-L-14'``, ...) or the keyword arguments of ``open_clip.CLIP``
            (``embed_dim``, ``vision_cfg``, ``text_cfg``) for a custom (e.g. tiny)
            architecture.
        pretrained (str, optional): a local weights file (open_clip or OpenAI
            state dict, ``.pt``/``.bin``/``.safetensors``), or an open_clip
            pretrained tag (``'openai'``, ``'laion2b_s34b_b88k'``, ...) which
            open_clip downloads (needs network). None keeps random weights.
        force_quick_gelu (bool): use QuickGELU, required by OpenAI weights
            (or use a ``*-quickgelu`` arch name). Defaults to False.
        frozen (bool): freeze the image tower (kept in eval mode). Defaults to True.
        freeze_text (bool): freeze the text tower. Defaults to True.
        context_length (int, optional): tokenizer context length; defaults to the
            text tower's.
        prompt_context (int): number of learnable context vectors prepended to
            every text (captions and prompts), trained even when the text tower
            is frozen. 0 disables prompt learning. Defaults to 0.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 arch: Union[str, Dict] = 'ViT-B-16',
                 pretrained: Optional[str] = None,
                 force_quick_gelu: bool = False,
                 frozen: bool = True,
                 freeze_text: bool = True,
                 context_length: Optional[int] = None,
                 prompt_context: int = 0,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = arch
        self.clip = _build_clip(arch, force_quick_gelu)
        if pretrained:
            if os.path.exists(os.path.expanduser(pretrained)) or os.sep in pretrained:
                load_clip_weights(self.clip, pretrained)
            elif isinstance(arch, str):
                # a pretrained tag: open_clip downloads (online only)
                self.clip = open_clip.create_model(
                    arch, pretrained=pretrained,
                    force_quick_gelu=force_quick_gelu)
            else:
                raise FileNotFoundError(
                    f'pretrained={pretrained!r} is neither a file nor usable as '
                    'an open_clip tag for a custom architecture.')
        _standard_vit(self.clip.visual)
        self.pretrained = pretrained
        self.frozen = frozen
        self.freeze_text = freeze_text
        self.context_length = context_length or self.clip.context_length
        self._tokenizer = (
            open_clip.get_tokenizer(arch, context_length=self.context_length)
            if isinstance(arch, str) else open_clip.SimpleTokenizer(
                context_length=self.context_length))
        self.prompt_context = prompt_context
        if prompt_context > 0:
            width = self.clip.token_embedding.weight.shape[1]
            self.context_vectors = nn.Parameter(
                torch.randn(prompt_context, width) * 0.02)
        self._freeze()

    # ------------------------------------------------------------------ setup
    def init_weights(self) -> None:
        """Weights come from ``pretrained`` or open_clip's own init; nothing to do.

        (mmengine's default init would overwrite CLIP's initialisation.)
        """

    def _freeze(self) -> None:
        for name, param in self.clip.named_parameters():
            if name.startswith('visual.'):
                param.requires_grad = not self.frozen
            elif name == 'logit_scale' or name == 'logit_bias':
                param.requires_grad = False  # the loss owns its scales
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
    def image_size(self) -> Tuple[int, int]:
        size = self.clip.visual.image_size
        return tuple(size) if isinstance(size, (tuple, list)) else (size, size)

    # --------------------------------------------------------------- forward
    def forward(self, images: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Encode frames.

        Args:
            images (Tensor): (N, 3, H, W) normalised frames.

        Returns:
            tuple[Tensor, Tensor]: global (N, D) and dense (N, D, h, w) embeddings,
            not normalised.
        """
        if self.frozen:
            with torch.no_grad():
                return vit_global_and_dense(self.clip.visual, images)
        return vit_global_and_dense(self.clip.visual, images)

    def tokenize(self, texts: Sequence[str]) -> torch.Tensor:
        """Tokenize texts to (M, context_length) int64 on the model's device."""
        tokens = self._tokenizer(list(texts))
        return tokens.to(self.clip.visual.proj.device)

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
            return encode_text_with_context(self.clip, tokens, self.context_vectors)
        tokens = self.tokenize(texts)
        if self.freeze_text:
            with torch.no_grad():
                return self.clip.encode_text(tokens)
        return self.clip.encode_text(tokens)


def tiny_clip_arch(embed_dim: int = 64,
                   image_size: int = 64,
                   patch_size: int = 8,
                   width: int = 64,
                   layers: int = 2,
                   heads: int = 4,
                   context_length: int = 32) -> Dict:
    """A small ViT CLIP architecture for tests and the CPU demo.

    Returns:
        dict: keyword arguments of ``open_clip.CLIP`` (usable as ``arch``).
    """
    return dict(
        embed_dim=embed_dim,
        vision_cfg=dict(
            image_size=image_size, patch_size=patch_size, width=width,
            layers=layers, head_width=width // heads, mlp_ratio=2.0),
        text_cfg=dict(
            context_length=context_length, vocab_size=49408, width=width,
            heads=heads, layers=layers, mlp_ratio=2.0))


__all__: List[str] = [
    'OpenCLIPBackbone', 'vit_global_and_dense', 'value_only_block',
    'encode_text_with_context',
    'load_clip_weights', 'tiny_clip_arch'
]
