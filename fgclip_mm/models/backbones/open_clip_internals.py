"""The one place that reaches into open_clip's tower internals.

FG-CLIP's dense patch features and CoOp-style prompt context need the ViT
blocks and the text path one step at a time; if open_clip changes them, only
this module breaks.
"""

from typing import Tuple

import open_clip
import torch
import torch.nn as nn
import torch.nn.functional as F


def check_dense_vit(visual: nn.Module) -> None:
    """Raise if ``visual`` is not a class-token open_clip ViT."""
    needed = ('conv1', 'transformer', 'ln_post', 'proj', '_embeds')
    if not all(hasattr(visual, name) for name in needed):
        raise TypeError(
            f'{type(visual).__name__} is not an open_clip VisionTransformer; '
            'dense features need a ViT architecture (ViT-B-16, ViT-B-32, '
            'ViT-L-14, ...).'
        )
    if (
        getattr(visual, 'attn_pool', None) is not None
        or getattr(visual, 'pool_type', 'tok') != 'tok'
        or getattr(visual, 'final_ln_after_pool', False)
    ):
        raise TypeError(
            'dense features support ViTs with class-token '
            'pooling only (no attentional pooling).'
        )


def patch_dropout_prob(visual: nn.Module) -> float:
    """Probability of the tower's open_clip ``PatchDropout`` (0 if none)."""
    return float(getattr(getattr(visual, 'patch_dropout', None), 'prob', 0.0))


def _check_no_active_patch_dropout(visual: nn.Module) -> None:
    """Raise if patch dropout would drop tokens in this forward pass.

    Dropped patches leave fewer tokens than ``h * w``: the dense map cannot be
    rebuilt (and boxes would point at the wrong patches).
    """
    prob = patch_dropout_prob(visual)
    if prob > 0 and visual.training:
        raise ValueError(
            f'dense features need every patch token, but the image tower has '
            f'patch dropout {prob} in training mode: set '
            "vision_cfg['patch_dropout']=0 in the backbone arch (or keep the "
            'image tower frozen, which runs it in eval mode).'
        )


def value_only_block(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Run a ``ResidualAttentionBlock`` with attention reduced to values.

    Every token attends only to itself, so the output of token ``i`` depends on
    token ``i`` alone (no token mixing); residuals and the MLP are kept. This
    is how FG-CLIP obtains patch tokens that live in the joint image-text
    space.

    Args:
        block: an open_clip ``ResidualAttentionBlock`` with
        ``nn.MultiheadAttention``.
        x (Tensor): tokens, shape (N, L, C), batch first.

    Returns:
        Tensor: shape (N, L, C).
    """
    attn = block.attn
    width = x.shape[-1]
    w_v = attn.in_proj_weight[2 * width :]
    b_v = (
        attn.in_proj_bias[2 * width :]
        if attn.in_proj_bias is not None
        else None
    )
    v = F.linear(block.ln_1(x), w_v, b_v)
    x = x + block.ls_1(attn.out_proj(v))
    x = x + block.ls_2(block.mlp(block.ln_2(x)))
    return x


def vit_global_and_dense(
    visual: nn.Module, images: torch.Tensor
) -> Tuple[torch.Tensor, torch.Tensor]:
    """One ViT pass giving the global embedding and dense patch embeddings.

    The blocks before the last run once; the last block runs twice on the same
    input:
    normally (global class-token embedding) and value-only (dense tokens). Both
    go through ``ln_post`` and the visual projection, so both live in the joint
    space.

    With :func:`value_only_block` this is all that reaches into open_clip's
    ViT internals.

    Args:
        visual: ``open_clip.transformer.VisionTransformer``.
        images (Tensor): shape (N, 3, H, W), normalised.

    Returns:
        tuple[Tensor, Tensor]: global embeddings (N, D) and dense embeddings
        (N, D, h, w) with ``h = H // patch``, ``w = W // patch``; not
        normalised.
    """
    check_dense_vit(visual)
    _check_no_active_patch_dropout(visual)
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
    patch_h, patch_w = (
        visual.patch_size
        if isinstance(visual.patch_size, (tuple, list))
        else (visual.patch_size,) * 2
    )
    h, w = height // patch_h, width // patch_w
    dense = dense.reshape(n, h, w, -1).permute(0, 3, 1, 2).contiguous()
    return global_emb, dense


def encode_text_with_context(
    clip: nn.Module, tokens: torch.Tensor, context: torch.Tensor
) -> torch.Tensor:
    """open_clip's ``CLIP.encode_text`` with learnable context tokens.

    The token embeddings at positions ``1 .. n`` (right after the start token,
    where the tokenizer put ``n`` placeholder words) are replaced by
    ``context``
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
    x = torch.cat([x[:, :1], ctx, x[:, 1 + n :]], dim=1)
    x = x + clip.positional_embedding.to(cast_dtype)
    x = clip.transformer(x, attn_mask=clip.attn_mask)
    x = clip.ln_final(x)
    x = open_clip.transformer.text_global_pool(
        x,
        tokens,
        clip.text_pool_type,
        eos_token_id=getattr(clip, 'text_eos_id', None),
    )
    if isinstance(clip.text_projection, nn.Linear):
        return clip.text_projection(x)
    return x @ clip.text_projection


__all__ = [
    'check_dense_vit',
    'encode_text_with_context',
    'patch_dropout_prob',
    'value_only_block',
    'vit_global_and_dense',
]
