"""Export the CLIP of a trained recognizer checkpoint as an open_clip state
dict.

The backbone of an ``FGCLIPRecognizer`` checkpoint (``backbone.clip.*``) is
saved as a plain open_clip state dict that ``OpenCLIPBackbone(pretrained=...)``
loads, e.g. to encode prompts with the same CLIP for the VadCLIP-style and
zero-shot baselines on features extracted from that checkpoint::

    python tools/export_clip_weights.py work_dirs/demo/epoch_8.pth clip.pt
"""

import argparse
import os
import os.path as osp
from typing import Dict

import torch

from fgclip_mm.compat import load_checkpoint_file

#: Prefix of the CLIP weights inside a recognizer's state dict.
CLIP_PREFIX = 'backbone.clip.'


def clip_state_dict(checkpoint: Dict, prefix: str = CLIP_PREFIX) -> Dict:
    """The tensors of ``checkpoint['state_dict']`` under ``prefix``, with the
    prefix removed (``module.`` of a DDP wrapper is ignored)."""
    state = checkpoint.get('state_dict', checkpoint)
    out = {}
    for key, value in state.items():
        key = key[len('module.') :] if key.startswith('module.') else key
        if key.startswith(prefix):
            out[key[len(prefix) :]] = value
    if not out:
        raise KeyError(
            f'no weights under {prefix!r}; keys look like {list(state)[:3]}'
        )
    return out


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='recognizer checkpoint (.pth)')
    parser.add_argument('out', help='output open_clip state dict (.pt)')
    parser.add_argument('--prefix', default=CLIP_PREFIX)
    args = parser.parse_args(argv)
    state = clip_state_dict(
        load_checkpoint_file(args.checkpoint, 'cpu'), args.prefix
    )
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(state, args.out)
    print(f'{len(state)} tensors of {args.checkpoint} -> {args.out}')
    return args.out


if __name__ == '__main__':
    main()
