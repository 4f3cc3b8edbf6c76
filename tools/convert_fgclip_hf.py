"""Convert FG-CLIP (or transformers CLIPModel) weights to an open_clip file.

    python tools/convert_fgclip_hf.py /path/to/fg-clip-base
    /path/to/fgclip_base_openclip.pt

SRC is a local Hugging Face model folder (``model.safetensors`` or
``pytorch_model.bin``) or one of those files. The output is a plain open_clip
state dict for ``OpenCLIPBackbone(arch=..., pretrained=OUT)``. Nothing is
downloaded.
"""

import argparse
import json
import os
import os.path as osp

import torch

from fgclip_mm.models.backbones.hf_clip_conversion import hf_clip_to_open_clip


def load_hf_state(src: str) -> dict:
    """Tensors of a local HF checkpoint (folder, .safetensors or .bin)."""
    if osp.isdir(src):
        for name in ('model.safetensors', 'pytorch_model.bin'):
            if osp.isfile(osp.join(src, name)):
                return load_hf_state(osp.join(src, name))
        raise FileNotFoundError(
            f'{src} has no model.safetensors or pytorch_model.bin'
        )
    if not osp.isfile(src):
        raise FileNotFoundError(src)
    if src.endswith('.safetensors'):
        from safetensors.torch import load_file

        return load_file(src)
    return torch.load(src, map_location='cpu', weights_only=True)


def suggest_arch(src: str, state: dict) -> str:
    """open_clip arch name matching the checkpoint's shapes and activation."""
    width = state['vision_model.embeddings.patch_embedding.weight'].shape
    patch = width[-1]
    layers = 1 + max(
        int(k.split('.')[3])
        for k in state
        if k.startswith('vision_model.encoder.layers.')
    )
    name = {
        (16, 12): 'ViT-B-16',
        (32, 12): 'ViT-B-32',
        (14, 24): 'ViT-L-14',
    }.get((patch, layers), f'<custom: patch {patch}, {layers} layers>')
    cfg_path = osp.join(
        src if osp.isdir(src) else osp.dirname(src), 'config.json'
    )
    if osp.isfile(cfg_path):
        with open(cfg_path) as f:
            act = json.load(f).get('vision_config', {}).get('hidden_act', '')
        if act == 'quick_gelu':
            name += '-quickgelu'
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='HF model folder or weights file')
    parser.add_argument('out', help='output .pt (open_clip state dict)')
    args = parser.parse_args()
    state = load_hf_state(args.src)
    converted, skipped = hf_clip_to_open_clip(state)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(converted, args.out)
    print(f'wrote {len(converted)} tensors to {args.out}')
    if skipped:
        print(
            f'skipped {len(skipped)} FG-CLIP-only tensors: '
            f'{", ".join(skipped)}'
        )
        print(
            'note: the long-caption (248-token) position tables are not '
            'converted; text is encoded with the 77-token table.'
        )
    print(
        f'use: backbone=dict(type="OpenCLIPBackbone", '
        f'arch="{suggest_arch(args.src, state)}", pretrained="{args.out}")'
    )


if __name__ == '__main__':
    main()
