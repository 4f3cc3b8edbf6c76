"""Convert CLIP weights in Hugging Face transformers' layout to open_clip's.

The published FG-CLIP checkpoints (``qihoo360/fg-clip-base``: ViT-B/16) use
transformers' ``CLIPModel`` key names plus a few FG-CLIP extras (long-caption
position tables, a second text projection, extra logit scales). open_clip keeps
OpenAI's layout: fused q/k/v projections, ``(in, out)`` projection matrices.

The conversion is a pure function on state dicts so it can be tested against
transformers itself.
"""

import re
from typing import Dict, List, Tuple

import torch

# FG-CLIP-only tensors with no open_clip counterpart (reported, not loaded).
FGCLIP_EXTRA_PREFIXES = (
    'text_model.embeddings.position_embedding_res',
    'text_model.embeddings.position_embedding_ori',
    'text_filip_projection',
    'logit_scale_finegraind',
    'logit_scale_hardneg',
    'text_model.embeddings.position_ids',
    'vision_model.embeddings.position_ids',
)

_BLOCK_RENAMES = (
    ('self_attn.out_proj.', 'attn.out_proj.'),
    ('layer_norm1.', 'ln_1.'),
    ('layer_norm2.', 'ln_2.'),
    ('mlp.fc1.', 'mlp.c_fc.'),
    ('mlp.fc2.', 'mlp.c_proj.'),
)

_DIRECT = {
    'vision_model.embeddings.class_embedding': 'visual.class_embedding',
    'vision_model.embeddings.position_embedding.weight': 'visual.positional_embedding',  # noqa: E501
    'vision_model.embeddings.patch_embedding.weight': 'visual.conv1.weight',
    'vision_model.pre_layrnorm.weight': 'visual.ln_pre.weight',
    'vision_model.pre_layrnorm.bias': 'visual.ln_pre.bias',
    'vision_model.post_layernorm.weight': 'visual.ln_post.weight',
    'vision_model.post_layernorm.bias': 'visual.ln_post.bias',
    'text_model.embeddings.token_embedding.weight': 'token_embedding.weight',
    'text_model.embeddings.position_embedding.weight': 'positional_embedding',
    'text_model.final_layer_norm.weight': 'ln_final.weight',
    'text_model.final_layer_norm.bias': 'ln_final.bias',
    'logit_scale': 'logit_scale',
}

_LAYER = re.compile(
    r'^(vision_model|text_model)\.encoder\.layers\.(\d+)\.(.+)$'
)


def _convert_block_key(
    key: str,
    groups: Tuple[str, str, str],
    value: torch.Tensor,
    out: Dict,
    qkv: Dict,
) -> None:
    """One transformer-block tensor: renamed into ``out``, or (q/k/v
    projections) kept in ``qkv`` to be concatenated."""
    tower, index, rest = groups
    tower_prefix = (
        'visual.transformer.resblocks.'
        if tower == 'vision_model'
        else 'transformer.resblocks.'
    )
    prefix = f'{tower_prefix}{index}.'
    proj = re.match(r'self_attn\.([qkv])_proj\.(weight|bias)$', rest)
    if proj is not None:
        qkv.setdefault((prefix, proj.group(2)), {})[proj.group(1)] = value
        return
    for old, new in _BLOCK_RENAMES:
        if rest.startswith(old):
            out[prefix + new + rest[len(old) :]] = value
            return
    raise KeyError(f'unknown transformers CLIP key: {key}')


def hf_clip_to_open_clip(
    state: Dict[str, torch.Tensor],
) -> Tuple[Dict[str, torch.Tensor], List[str]]:
    """Map a transformers ``CLIPModel`` (or FG-CLIP) state dict to open_clip.

    Args:
        state (dict): tensors keyed by transformers' names.

    Returns:
        tuple[dict, list[str]]: the open_clip state dict and the keys that were
        skipped (FG-CLIP extras without an open_clip counterpart).

    Raises:
        KeyError: a key that is neither CLIP nor a known FG-CLIP extra, or a
            layer missing one of q/k/v.
    """
    out: Dict[str, torch.Tensor] = {}
    skipped: List[str] = []
    qkv: Dict[Tuple[str, str], Dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        if key.startswith(FGCLIP_EXTRA_PREFIXES):
            skipped.append(key)
        elif key in _DIRECT:
            out[_DIRECT[key]] = value
        elif key == 'visual_projection.weight':
            out['visual.proj'] = value.t().contiguous()  # (D, W) -> (W, D)
        elif key == 'text_projection.weight':
            out['text_projection'] = value.t().contiguous()
        elif (m := _LAYER.match(key)) is not None:
            _convert_block_key(key, m.groups(), value, out, qkv)
        else:
            raise KeyError(f'unknown transformers CLIP key: {key}')
    for (prefix, kind), parts in qkv.items():
        if set(parts) != {'q', 'k', 'v'}:
            raise KeyError(
                f'{prefix}: incomplete q/k/v {kind} ({sorted(parts)})'
            )
        out[f'{prefix}attn.in_proj_{kind}'] = torch.cat(
            [parts['q'], parts['k'], parts['v']], dim=0
        )
    return out, sorted(skipped)
