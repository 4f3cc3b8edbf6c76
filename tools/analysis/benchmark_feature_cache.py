"""Frozen FG-CLIP on the demo data: training from the feature cache vs
recomputing CLIP every epoch (acceptance 4 of the baselines issue).

In one run: generate the demo data (or use ``--data``), build the demo model
with a frozen (random-init) image and text tower and save it as the common
start (``init.pth``), cache its features with
``tools/extract_fgclip_cache.py``, then train twice with ``tools/train.py``
from ``init.pth`` on the same samples (same seed, flip disabled in both):

* **raw**: ``configs/fgclip_demo.py`` with the backbone frozen, decoding
  video and running the image tower every epoch;
* **cached**: ``configs/fgclip_demo_cached.py``, reading the cache.

Epoch times come from ``RunStatsHook`` (median over epochs); both final
checkpoints are tested with ``tools/test.py`` on the raw test videos. The
last stdout line is one JSON object. Example::

    python tools/analysis/benchmark_feature_cache.py --work-dir work_dirs/fc
"""

import argparse
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RAW = osp.join(REPO, 'configs', 'fgclip_demo.py')
CACHED = osp.join(REPO, 'configs', 'fgclip_demo_cached.py')
FROZEN = dict(frozen=True, freeze_text=True)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--work-dir', required=True)
    p.add_argument(
        '--data',
        help='demo data folder (default: generate one '
        'with the demo defaults into WORK_DIR/demo)',
    )
    p.add_argument(
        '--epochs', type=int, default=None, help="default: the demo config's"
    )
    p.add_argument('--frame-stride', type=int, default=1)
    p.add_argument('--fp32', action='store_true', help='fp32 cache')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument(
        '--arch',
        help='an open_clip model name (e.g. ViT-B-16, '
        "random init) instead of the demo's tiny CLIP; frames "
        'are decoded at its input size',
    )
    return p.parse_args(argv)


def run(cmd: List[str], env: Dict[str, str]) -> Tuple[float, str]:
    """Run a repository tool; seconds and output (raises on failure)."""
    tic = time.perf_counter()
    res = subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True
    )
    out = res.stdout + res.stderr
    if res.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{out[-4000:]}')
    return time.perf_counter() - tic, out


def make_data(args: argparse.Namespace) -> str:
    if args.data:
        return args.data
    from fgclip_mm.datasets.demo_data import make_demo_dataset

    root = osp.join(args.work_dir, 'demo')
    if not osp.isfile(osp.join(root, 'train.json')):
        make_demo_dataset(root, seed=args.seed)
    return root


def load_cfg(src: str, args: argparse.Namespace) -> Config:
    """A demo config with frozen towers (and ``--arch``)."""
    cfg = Config.fromfile(src)
    cfg.model.backbone.update(FROZEN)
    if args.arch:
        import open_clip

        size = open_clip.get_model_config(args.arch)['vision_cfg'][
            'image_size'
        ]
        cfg.model.backbone.arch = args.arch
        for loader in (
            cfg.train_dataloader.dataset.dataset,
            cfg.test_dataloader.dataset,
        ):
            for t in loader.pipeline:
                if t['type'] == 'DecodeSampledFrames':
                    t['scale'] = (size, size)
    return cfg


def save_init(path: str, args: argparse.Namespace) -> None:
    """The common start of both runs: the demo model, towers frozen."""
    cfg = load_cfg(CACHED, args)
    init_default_scope('mmaction')
    torch.manual_seed(args.seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(seed=args.seed)), path
    )


def write_configs(args, init: str) -> Tuple[str, str]:
    """Dumped configs of both runs (flip removed from the raw pipeline)."""
    paths = []
    for name, src in (('raw', RAW), ('cached', CACHED)):
        cfg = load_cfg(src, args)
        inner = cfg.train_dataloader.dataset.dataset
        inner.pipeline = [
            t for t in inner.pipeline if t['type'] != 'FlipWithBoxes'
        ]
        cfg.load_from = init
        cfg.randomness = dict(
            seed=args.seed, diff_rank_seed=False, deterministic=False
        )
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='RunStatsHook')
        ]
        if args.epochs:
            cfg.train_cfg.max_epochs = args.epochs
            cfg.train_cfg.val_interval = args.epochs
        cfg.default_hooks.logger.interval = 50
        path = osp.join(args.work_dir, f'{name}_config.py')
        cfg.dump(path)
        paths.append(path)
    return paths[0], paths[1]


def train_and_test(name: str, config: str, args, env) -> Dict:
    work = osp.join(args.work_dir, name)
    seconds, _ = run(
        [sys.executable, 'tools/train.py', config, '--work-dir', work], env
    )
    with open(osp.join(work, 'run_stats.json')) as f:
        epochs = [e['epoch_time'] for e in json.load(f)['epochs']]
    with open(osp.join(work, 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    _, out = run(
        [
            sys.executable,
            'tools/test.py',
            config,
            ckpt,
            '--work-dir',
            osp.join(work, 'test'),
        ],
        env,
    )
    line = [
        ln
        for ln in out.splitlines()
        if 'Epoch(test)' in ln and 'vad/AUC:' in ln
    ][-1]
    auc = float(re.search(r'vad/AUC: ([-\d.naN]+)', line).group(1))
    return dict(
        epoch_times=epochs,
        median_epoch_s=float(np.median(epochs)),
        train_s=seconds,
        test_auc=auc,
    )


def cache_size(cache: str) -> Tuple[int, int]:
    """Videos and bytes of the cache's feature files."""
    files = [
        osp.join(d, f)
        for d, _, fs in os.walk(cache)
        for f in fs
        if f.endswith('.npy')
    ]
    return len(files), sum(os.path.getsize(f) for f in files)


def report(
    args, extract_s: float, cache: str, raw: Dict, cached: Dict
) -> Dict:
    videos, size = cache_size(cache)
    speedup = raw['median_epoch_s'] / max(cached['median_epoch_s'], 1e-9)
    diff = abs(raw['test_auc'] - cached['test_auc'])
    print(
        f'FG-CLIP demo, {args.arch or "tiny CLIP"}, frozen towers '
        '(random init), flip off, '
        f'{len(raw["epoch_times"])} epochs, frame stride '
        f'{args.frame_stride}, {"fp32" if args.fp32 else "fp16"} cache'
    )
    print(
        f'cache extraction (one-off): {extract_s:.1f} s, {videos} videos, '
        f'{size / 2**20:.2f} MiB'
    )
    print(
        f'epoch time (median)  raw: {raw["median_epoch_s"]:.3f} s  '
        f'cached: {cached["median_epoch_s"]:.3f} s  '
        f'speed-up: {speedup:.1f}x (goal >= 30x)'
    )
    print(
        f'test AUC             raw: {raw["test_auc"]:.4f}  cached: '
        f'{cached["test_auc"]:.4f}  |diff|: {diff:.4f} (goal <= 0.01)'
    )
    result = dict(
        raw=raw,
        cached=cached,
        speedup=speedup,
        auc_diff=diff,
        extract_s=extract_s,
        cache_videos=videos,
        cache_bytes=size,
    )
    print(json.dumps(result))
    return result


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    args.work_dir = osp.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)
    import fgclip_mm  # noqa: F401  (registers components)

    data = osp.abspath(make_data(args))
    cache = osp.join(args.work_dir, 'cache')
    env = dict(os.environ, FGCLIP_DEMO_ROOT=data, FGCLIP_CACHE_DIR=cache)
    os.environ.update(FGCLIP_DEMO_ROOT=data, FGCLIP_CACHE_DIR=cache)
    init = osp.join(args.work_dir, 'init.pth')
    save_init(init, args)
    raw_cfg, cached_cfg = write_configs(args, init)
    extract = [
        sys.executable,
        'tools/extract_fgclip_cache.py',
        cached_cfg,
        '--out',
        cache,
        '--checkpoint',
        init,
        '--frame-stride',
        str(args.frame_stride),
    ]
    extract_s, _ = run(extract + (['--fp32'] if args.fp32 else []), env)
    raw = train_and_test('raw', raw_cfg, args, env)
    cached = train_and_test('cached', cached_cfg, args, env)
    report(args, extract_s, cache, raw, cached)
    return 0


if __name__ == '__main__':
    sys.exit(main())
