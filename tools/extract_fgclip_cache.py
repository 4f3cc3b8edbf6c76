"""Cache what frozen FG-CLIP training needs, so an epoch does not re-run CLIP.

Runs the config's ``model.backbone`` over every ``--frame-stride``-th frame
of every video of ``train_dataloader`` (``--split``) and writes, per video,
``<out>/<split>/<video_id>.npy`` (fp16 by default) of shape ``(F, 1 + R, D)``:
``F = ceil(frames / stride)`` cached frames ``0, stride, 2 * stride, ...``;
slot 0 the global embedding, slots ``1..R`` the RoIAlign features (the
config's ``RoIRegionHead.pool_boxes``, before the adapter) of the boxes of
:func:`~fgclip_mm.datasets.transforms.cached_features.cache_region_boxes`:
every annotated region track of the video (keyframe-interpolated, held
outside its span) and the fixed boxes (the virtual full-frame box; the
``pseudo_box`` too under ``GenerateRegionBoxes(strategy='pseudo')``). Not the
dense maps: those would not fit on disk for UCF-Crime.

Frames are decoded whole at the backbone's input size (no crop, no flip):
pixel augmentations are disabled in cache mode. ``<out>/index.json`` records
the settings, their hash, and per video the path, frame counts, fps and
region tracks; ``FGCLIPCacheInit`` reads it. Resumable, atomic per video,
memory flat in the video length and split over ranks as
``tools/extract_features.py`` (whose helpers it uses).

Disk: ``F * (1 + R) * D * 2`` bytes (fp16); ViT-B/16 (D = 512), stride 1,
30 fps, R = 3: 108,000 frames x 4 KiB = 422 MiB per hour (stride 8: 53 MiB).
Example::

    python tools/extract_fgclip_cache.py configs/fgclip_demo.py \\
        --out data/demo/fgclip_cache --frame-stride 1
"""

import argparse
import glob
import hashlib
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional

import numpy as np
import torch
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

import fgclip_mm  # noqa: F401  (registers components)
from fgclip_mm.datasets.transforms.boxes import VIRTUAL_BOX
from fgclip_mm.datasets.transforms.cached_features import (
    CACHE_KIND,
    cache_region_boxes,
    cached_frame_count,
)
from fgclip_mm.datasets.video_io import open_video

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import extract_features as ef  # noqa: E402

FORMAT_VERSION = 1


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Cache frozen FG-CLIP features.')
    p.add_argument('config')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument(
        '--split', choices=('train', 'test', 'all'), default='train'
    )
    p.add_argument(
        '--checkpoint',
        help='recognizer checkpoint whose '
        "backbone.* weights to use (default: the config's)",
    )
    p.add_argument(
        '--frame-stride', type=int, default=1, help='cache every N-th frame'
    )
    p.add_argument('--fp32', action='store_true', help='store float32')
    p.add_argument(
        '--chunk',
        type=int,
        default=64,
        help='frames decoded and embedded at a time',
    )
    p.add_argument('--backend', default='decord', choices=('decord', 'pyav'))
    p.add_argument(
        '--seed',
        type=int,
        default=0,
        help='seed of randomly initialised backbone weights',
    )
    p.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu'
    )
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = p.parse_args(argv)
    if args.frame_stride <= 0:
        p.error('--frame-stride must be positive')
    return args


# ------------------------------------------------------------------ setup
def box_settings(cfg: Config) -> dict:
    """``min_size`` and fixed boxes of the train pipeline's
    ``GenerateRegionBoxes``."""
    loader = cfg.get('train_dataloader') or {}
    pipeline = ef._inner_dataset(loader.get('dataset', {})).get('pipeline')
    gen = [t for t in pipeline or [] if t.get('type') == 'GenerateRegionBoxes']
    gen = gen[0] if gen else {}
    fixed = [list(VIRTUAL_BOX)]
    if gen.get('strategy') == 'pseudo':
        fixed.append(list(gen.get('pseudo_box', (0.1, 0.1, 0.9, 0.9))))
    return dict(min_size=float(gen.get('min_size', 0.01)), fixed_boxes=fixed)


def settings_of(cfg: Config, args: argparse.Namespace) -> dict:
    """Everything the features depend on, hashed into ``config_hash``."""
    pre = cfg.model.get('data_preprocessor') or {}
    ckpt = None
    if args.checkpoint:
        digest = hashlib.sha256()
        with open(args.checkpoint, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
        ckpt = digest.hexdigest()
    settings = dict(
        kind=CACHE_KIND,
        backbone=cfg.model.backbone.to_dict(),
        region_head=dict(cfg.model.get('region_head') or {}),
        checkpoint_sha256=ckpt,
        seed=args.seed,
        mean=list(pre.get('mean', ef.CLIP_MEAN)),
        std=list(pre.get('std', ef.CLIP_STD)),
        frame_stride=args.frame_stride,
        **box_settings(cfg),
        dtype='float32' if args.fp32 else 'float16',
    )
    blob = json.dumps(settings, sort_keys=True, default=str)
    settings['config_hash'] = hashlib.sha256(blob.encode()).hexdigest()[:16]
    return settings


def build_region_head(cfg: Config, embed_dim: int) -> torch.nn.Module:
    head = dict(cfg.model.get('region_head') or dict(type='RoIRegionHead'))
    head.setdefault('embed_dims', embed_dim)
    return MODELS.build(head).eval()


def collect_videos(cfg: Config, split: str) -> List[dict]:
    """Distinct videos of a split with the union of their region tracks."""
    loader = cfg.get(f'{split}_dataloader')
    if not loader:
        return []
    ds_cfg = ef._inner_dataset(loader['dataset']).copy()
    ds_cfg['pipeline'] = []
    dataset = DATASETS.build(ds_cfg)
    videos: Dict[str, dict] = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        video = videos.setdefault(
            info['video_id'],
            dict(
                video_id=info['video_id'],
                filename=info['filename'],
                total_frames=info.get('total_frames'),
                tracks=[],
            ),
        )
        for track in info.get('box_infos') or []:
            track = [
                dict(frame=int(k['frame']), bbox=[float(v) for v in k['bbox']])
                for k in track
            ]
            if track and track not in video['tracks']:
                video['tracks'].append(track)
    return list(videos.values())


# ------------------------------------------------------------ extraction
@torch.no_grad()
def embed_frames(
    backbone,
    head,
    frames: np.ndarray,
    boxes: np.ndarray,
    settings: dict,
    device: str,
) -> np.ndarray:
    """Cached features ``(n, 1 + R, D)`` of frames ``(n, H, W, 3)`` uint8
    and their boxes ``(n, R, 4)``."""
    mean = torch.tensor(settings['mean']).view(1, 3, 1, 1)
    std = torch.tensor(settings['std']).view(1, 3, 1, 1)
    x = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2)
    glob_emb, dense = backbone(((x.float() - mean) / std).to(device))
    glob_emb, dense = glob_emb.float(), dense.float()
    n, r = boxes.shape[:2]
    if r:
        frame_index = torch.arange(n, device=dense.device).repeat_interleave(r)
        box_t = torch.from_numpy(boxes.reshape(-1, 4)).to(dense.device)
        region = head.pool_boxes(dense, box_t, frame_index).view(n, r, -1)
        out = torch.cat([glob_emb[:, None], region], dim=1)
    else:
        out = glob_emb[:, None]
    return out.cpu().numpy()


def extract_video(
    video: dict,
    final: str,
    backbone,
    head,
    settings: dict,
    args: argparse.Namespace,
    hook: ef.KillHook,
) -> dict:
    """Write one video's cache to ``final`` atomically."""
    reader = open_video(video['filename'], args.backend)
    num_frames, fps = reader.num_frames, float(reader.fps)
    total = int(video.get('total_frames') or num_frames)
    stride = settings['frame_stride']
    inds = (
        np.arange(
            cached_frame_count(min(total, num_frames), stride), dtype=np.int64
        )
        * stride
    )
    size = tuple(backbone.image_size[::-1])  # (w, h)
    dtype = np.dtype(settings['dtype'])
    for stale in glob.glob(
        osp.join(osp.dirname(final), f'.{osp.basename(final)}.part-*')
    ):
        os.remove(stale)  # left by a killed run
    tmp = osp.join(
        osp.dirname(final), f'.{osp.basename(final)}.part-{os.getpid()}'
    )
    num_r = len(video['tracks']) + len(settings['fixed_boxes'])
    out = np.lib.format.open_memmap(
        tmp,
        mode='w+',
        dtype=dtype,
        shape=(len(inds), 1 + num_r, backbone.embed_dim),
    )
    for start in range(0, len(inds), args.chunk):
        chunk = inds[start : start + args.chunk]
        boxes = cache_region_boxes(
            video['tracks'],
            settings['fixed_boxes'],
            chunk,
            settings['min_size'],
        )
        feats = embed_frames(
            backbone,
            head,
            reader.get_frames(chunk, size),
            boxes,
            settings,
            args.device,
        )
        out[start : start + len(chunk)] = feats.astype(dtype)
        hook.step()
    out.flush()
    del out
    reader.close()
    os.replace(tmp, final)
    return dict(total_frames=total, fps=fps)


def record_of(video: dict, final: str, args, rec: Optional[dict]) -> dict:
    """Index record of a video (``rec``: the extraction's, or None when an
    earlier run finished it)."""
    if rec is None:
        reader = open_video(video['filename'], args.backend)
        rec = dict(
            total_frames=int(video.get('total_frames') or reader.num_frames),
            fps=float(reader.fps),
        )
        reader.close()
    shape = np.load(final, mmap_mode='r').shape
    return dict(
        rec,
        num_cached_frames=int(shape[0]),
        shape=list(shape),
        tracks=video['tracks'],
    )


def run_rank(
    jobs: List[tuple],
    backbone,
    head,
    settings: dict,
    args: argparse.Namespace,
    rank: int,
) -> Dict[str, dict]:
    hook = ef.KillHook()
    records: Dict[str, dict] = {}
    done = skipped = 0
    bar = ProgressBar(len(jobs)) if rank == 0 and jobs else None
    for split, video in jobs:
        rel = osp.join(split, video['video_id'] + '.npy')
        final = osp.join(args.out, rel)
        rec = None
        if osp.isfile(final):
            skipped += 1
        else:
            rec = extract_video(
                video, final, backbone, head, settings, args, hook
            )
            done += 1
        records[f'{split}/{video["video_id"]}'] = dict(
            record_of(video, final, args, rec), path=rel
        )
        if bar is not None:
            bar.update()
    print_log(
        f'rank {rank}: extracted {done} video(s), skipped {skipped} '
        'finished before',
        logger='current',
    )
    return records


def write_index(args, settings: dict, order: List[tuple], world: int) -> str:
    records: Dict[str, dict] = {}
    for r in range(world):
        shard = osp.join(args.out, f'.index.rank{r}.json')
        with open(shard) as f:
            records.update(json.load(f))
        os.remove(shard)
    splits: Dict[str, dict] = {}
    for split, video in order:
        key = f'{split}/{video["video_id"]}'
        splits.setdefault(split, {})[video['video_id']] = records[key]
    index = dict(
        format_version=FORMAT_VERSION,
        config=args.config,
        **settings,
        splits=splits,
    )
    path = osp.join(args.out, 'index.json')
    with open(path + '.part', 'w') as f:
        json.dump(index, f, indent=1, default=str)
    os.replace(path + '.part', path)
    return path


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    cfg, rank, world, settings, order = ef.prepare_run(
        args, settings_of, collect_videos
    )
    backbone = ef.build_backbone(cfg, args)
    head = build_region_head(cfg, backbone.embed_dim).to(args.device)
    settings.update(
        backbone_arch=backbone.arch,
        embed_dim=backbone.embed_dim,
        image_size=list(backbone.image_size),
    )
    records = run_rank(
        order[rank::world], backbone, head, settings, args, rank
    )
    return ef.finish_run(
        args, records, settings, order, rank, world, write_index
    )


if __name__ == '__main__':
    sys.exit(main())
