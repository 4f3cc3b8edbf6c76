"""Cache CLIP snippet features of every video of a config's datasets.

Runs the config's ``model.backbone`` (an ``OpenCLIPBackbone``; its global
embedding only, the FG-CLIP dense/region part is not stored) over the
videos of ``train_dataloader`` and ``test_dataloader`` and writes, per video,
``<out>/<split>/<video_id>.npy``: snippet features ``(T, C, D)`` (fp16 by
default), T = ``max(1, frames // snippet_length)`` (the trailing partial
snippet is dropped, as the ``snippet16`` protocol scores), C crops, D the
embedding size. Snippet ``k`` embeds frames ``k * L + (2 j + 1) * L // (2 K)``
(``j < K``; ``center`` pooling is K = 1) clipped to the last frame, averaged
over the K frames. ``<out>/index.json`` records the settings, their hash and
every video (path, num_snippets, total_frames, fps, label, class_name,
test-set ``anomaly_intervals``): ``SnippetFeatureDataset`` reads it.

* Memory is flat in the video length: frames are decoded ``--chunk``
  snippets at a time into a memory-mapped output.
* Resumable: a video is written to a temporary name and ``os.replace``-d
  when complete, so a finished ``.npy`` is never half-written; a rerun skips
  finished videos (and refuses an ``--out`` made with other settings).
* Distributed: ``torchrun --nproc_per_node N tools/extract_features.py ...``
  (or ``tools/dist_extract_features.sh``): rank r takes videos ``r::N``;
  rank 0 writes the index after a barrier.

Disk: ``T * C * D * 2`` bytes (fp16); at ``fps`` frames/s one hour is
``3600 * fps / L`` snippets, so ViT-B/16 (D = 512), L = 16, one crop, 30 fps:
6,750 snippets x 1 KiB = 6.6 MiB per hour (10 crops: 66 MiB). Example::

    python tools/extract_features.py configs/fgclip_ucf.py \\
        --out data/ucf_crime/clip_features --snippet-length 16
"""

import argparse
import glob
import hashlib
import json
import os
import os.path as osp
import signal
import sys
from typing import Dict, List, Optional

import numpy as np
import torch
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

import fgclip_mm  # noqa: F401  (registers components)
from fgclip_mm.compat import load_checkpoint_file
from fgclip_mm.datasets.video_io import open_video

FORMAT_VERSION = 1
#: Test hook: SIGKILL this process after that many chunks (resume tests).
KILL_ENV = 'FGCLIP_EXTRACT_KILL_AFTER_CHUNKS'
CROPS = dict(none=1, center=1, five=5, ten=10)
#: How snippet frames are chosen (stored in the index; snippet_frames()).
FRAME_INDEX_RULE = (
    'T = max(1, total_frames // snippet_length); snippet k '
    'averages the embeddings of frames min(k * L + (2 * j + '
    '1) * L // (2 * K), total_frames - 1), j < K '
    '(K = frames_per_snippet, L = snippet_length)'
)
CLIP_MEAN = [122.7709383, 116.7460125, 104.09373615]
CLIP_STD = [68.5005327, 66.6321579, 70.32316305]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Cache CLIP snippet features.')
    p.add_argument('config')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--split', choices=('train', 'test', 'all'), default='all')
    p.add_argument(
        '--checkpoint',
        help='trained recognizer checkpoint whose '
        "backbone.* weights to use (default: the config's)",
    )
    p.add_argument('--snippet-length', type=int, default=16)
    p.add_argument(
        '--frame-pooling', choices=('center', 'mean'), default='center'
    )
    p.add_argument(
        '--frames-per-snippet',
        type=int,
        default=1,
        help='K frames averaged per snippet (mean pooling)',
    )
    p.add_argument(
        '--crops',
        choices=tuple(CROPS),
        default='none',
        help='none: whole frame resized to the input size; '
        'center: short side resize + centre crop; five/ten: '
        'corners + centre (+ flips) of a 256/224-upscaled frame',
    )
    p.add_argument('--fp32', action='store_true', help='store float32')
    p.add_argument(
        '--chunk',
        type=int,
        default=32,
        help='snippets decoded and embedded at a time',
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
    if args.frame_pooling == 'center':
        args.frames_per_snippet = 1
    return args


# ------------------------------------------------------------------ setup
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
        backbone=cfg.model.backbone.to_dict(),
        checkpoint_sha256=ckpt,
        seed=args.seed,
        mean=list(pre.get('mean', CLIP_MEAN)),
        std=list(pre.get('std', CLIP_STD)),
        snippet_length=args.snippet_length,
        frame_pooling=args.frame_pooling,
        frames_per_snippet=args.frames_per_snippet,
        crops=args.crops,
        dtype='float32' if args.fp32 else 'float16',
    )
    blob = json.dumps(settings, sort_keys=True, default=str)
    settings['config_hash'] = hashlib.sha256(blob.encode()).hexdigest()[:16]
    return settings


def build_backbone(cfg: Config, args: argparse.Namespace) -> torch.nn.Module:
    torch.manual_seed(args.seed)
    backbone = MODELS.build(cfg.model.backbone)
    if args.checkpoint:
        state = load_checkpoint_file(args.checkpoint, map_location='cpu')
        state = state.get('state_dict', state)
        sub = {
            k[len('backbone.') :]: v
            for k, v in state.items()
            if k.startswith('backbone.')
        }
        if not sub:
            raise KeyError(f'{args.checkpoint}: no backbone.* weights')
        backbone.load_state_dict(sub, strict=False)
    return backbone.to(args.device).eval()


def _inner_dataset(ds_cfg: Config) -> Config:
    while 'dataset' in ds_cfg and 'ann_file' not in ds_cfg:
        ds_cfg = ds_cfg['dataset']
    return ds_cfg


def collect_videos(cfg: Config, split: str) -> List[dict]:
    """The distinct videos of a split's dataset, in dataset order."""
    loader = cfg.get(f'{split}_dataloader')
    if not loader:
        return []
    ds_cfg = _inner_dataset(loader['dataset']).copy()
    ds_cfg['pipeline'] = []
    dataset = DATASETS.build(ds_cfg)
    videos: Dict[str, dict] = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        if info['video_id'] in videos:
            continue
        entry = dict(
            video_id=info['video_id'],
            filename=info['filename'],
            label=int(info.get('label', 0)),
            class_name=info.get('class_name'),
            is_anomaly=bool(info.get('is_anomaly', False)),
        )
        if info.get('anomaly_intervals') is not None:
            entry['anomaly_intervals'] = (
                np.asarray(info['anomaly_intervals']).reshape(-1, 2).tolist()
            )
        videos[info['video_id']] = entry
    return list(videos.values())


# ------------------------------------------------------------ extraction
def snippet_frames(num_frames: int, length: int, k: int) -> np.ndarray:
    """Frame indices ``(T, K)`` of the snippets of a video (module doc)."""
    num_t = max(1, num_frames // length)
    offsets = (2 * np.arange(k) + 1) * length // (2 * k)
    inds = np.arange(num_t)[:, None] * length + offsets[None]
    return np.minimum(inds, num_frames - 1).astype(np.int64)


def crop_frames(reader, inds: np.ndarray, size: int, crops: str) -> list:
    """Decoded frames as a list of ``(N, S, S, 3)`` uint8 crops."""
    if crops == 'none':
        return [reader.get_frames(inds, size=(size, size))]
    height, width = reader.frame_shape
    short = size if crops == 'center' else round(size * 256 / 224)
    scale = short / min(height, width)
    new_w, new_h = (
        max(size, round(width * scale)),
        max(size, round(height * scale)),
    )
    frames = reader.get_frames(inds, size=(new_w, new_h))
    top, left = (new_h - size) // 2, (new_w - size) // 2
    boxes = [(top, left)]
    if crops in ('five', 'ten'):
        boxes = [
            (0, 0),
            (0, new_w - size),
            (new_h - size, 0),
            (new_h - size, new_w - size),
            (top, left),
        ]
    out = [frames[:, y : y + size, x : x + size] for y, x in boxes]
    if crops == 'ten':
        out += [c[:, :, ::-1] for c in out]
    return out


@torch.no_grad()
def embed_chunk(
    backbone, reader, inds: np.ndarray, settings: dict, size: int, device: str
) -> np.ndarray:
    """Features ``(t, C, D)`` of the snippets whose frames are ``inds``
    ``(t, K)``."""
    uniq, inverse = np.unique(inds.reshape(-1), return_inverse=True)
    crops = crop_frames(reader, uniq, size, settings['crops'])
    mean = torch.tensor(settings['mean']).view(1, 3, 1, 1)
    std = torch.tensor(settings['std']).view(1, 3, 1, 1)
    per_crop = []
    for frames in crops:
        x = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2)
        x = ((x.float() - mean) / std).to(device)
        per_crop.append(backbone(x)[0].float().cpu())  # global (N, D)
    emb = torch.stack(per_crop, dim=1)[torch.from_numpy(inverse)]  # (tK,C,D)
    emb = emb.view(inds.shape[0], inds.shape[1], len(crops), -1).mean(1)
    return emb.numpy()


class KillHook:
    """SIGKILLs the process after ``$FGCLIP_EXTRACT_KILL_AFTER_CHUNKS``
    chunks (tests of resumption only)."""

    def __init__(self) -> None:
        value = os.environ.get(KILL_ENV)
        self.left = int(value) if value else None

    def step(self) -> None:
        if self.left is not None:
            self.left -= 1
            if self.left <= 0:
                os.kill(os.getpid(), signal.SIGKILL)


def extract_video(
    video: dict,
    final: str,
    backbone,
    settings: dict,
    args: argparse.Namespace,
    hook: KillHook,
) -> dict:
    """Write one video's features to ``final`` atomically."""
    reader = open_video(video['filename'], args.backend)
    num_frames, fps = reader.num_frames, float(reader.fps)
    inds = snippet_frames(
        num_frames, settings['snippet_length'], settings['frames_per_snippet']
    )
    size = backbone.image_size[0]
    dtype = np.dtype(settings['dtype'])
    for stale in glob.glob(
        osp.join(osp.dirname(final), f'.{osp.basename(final)}.part-*')
    ):
        os.remove(stale)  # left by a killed run
    tmp = osp.join(
        osp.dirname(final), f'.{osp.basename(final)}.part-{os.getpid()}'
    )
    out = None
    for start in range(0, len(inds), args.chunk):
        feat = embed_chunk(
            backbone,
            reader,
            inds[start : start + args.chunk],
            settings,
            size,
            args.device,
        )
        if out is None:
            out = np.lib.format.open_memmap(
                tmp,
                mode='w+',
                dtype=dtype,
                shape=(len(inds),) + feat.shape[1:],
            )
        out[start : start + len(feat)] = feat.astype(dtype)
        hook.step()
    out.flush()
    shape = out.shape
    del out
    reader.close()
    os.replace(tmp, final)
    return dict(
        num_snippets=int(shape[0]),
        total_frames=int(num_frames),
        fps=fps,
        shape=list(shape),
    )


def finished_record(video: dict, final: str, backend: str) -> dict:
    """Index record of a video finished by an earlier run."""
    shape = np.load(final, mmap_mode='r').shape
    reader = open_video(video['filename'], backend)
    rec = dict(
        num_snippets=int(shape[0]),
        total_frames=int(reader.num_frames),
        fps=float(reader.fps),
        shape=list(shape),
    )
    reader.close()
    return rec


# ------------------------------------------------------------------ driver
def check_out_dir(out: str, settings: dict) -> None:
    """Refuse an ``--out`` made with other settings; record ours."""
    path = osp.join(out, 'settings.json')
    if osp.isfile(path):
        with open(path) as f:
            old = json.load(f)
        if old.get('config_hash') != settings['config_hash']:
            raise SystemExit(
                f'error: {out} holds features of other settings (hash '
                f'{old.get("config_hash")} != {settings["config_hash"]}); '
                'use another --out'
            )
        return
    tmp = f'{path}.part-{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(settings, f, indent=1, default=str)
    os.replace(tmp, path)


def run_rank(
    jobs: List[tuple],
    backbone,
    settings: dict,
    args: argparse.Namespace,
    rank: int,
) -> Dict[str, dict]:
    hook = KillHook()
    records: Dict[str, dict] = {}
    done = skipped = 0
    bar = ProgressBar(len(jobs)) if rank == 0 and jobs else None
    for split, video in jobs:
        rel = osp.join(split, video['video_id'] + '.npy')
        final = osp.join(args.out, rel)
        if osp.isfile(final):
            rec = finished_record(video, final, args.backend)
            skipped += 1
        else:
            rec = extract_video(video, final, backbone, settings, args, hook)
            done += 1
        rec.update(
            {k: v for k, v in video.items() if k != 'filename'}, path=rel
        )
        records[f'{split}/{video["video_id"]}'] = rec
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
        rec = records[f'{split}/{video["video_id"]}']
        splits.setdefault(split, {})[video['video_id']] = rec
    index = dict(
        format_version=FORMAT_VERSION,
        config=args.config,
        **settings,
        num_crops=CROPS[args.crops],
        frame_index_rule=FRAME_INDEX_RULE,
        splits=splits,
    )
    path = osp.join(args.out, 'index.json')
    with open(path + '.part', 'w') as f:
        json.dump(index, f, indent=1, default=str)
    os.replace(path + '.part', path)
    return path


def prepare_run(args, settings_fn, collect_fn):
    """Config, rank, world size, settings and the (split, video) order of an
    extraction run; the output folders are created and checked (rank 0)
    before the other ranks go on. Shared with tools/extract_fgclip_cache.py.
    """
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    rank = int(os.environ.get('RANK', 0))
    world = int(os.environ.get('WORLD_SIZE', 1))
    if world > 1:
        torch.distributed.init_process_group('gloo')
    settings = settings_fn(cfg, args)
    splits = ('train', 'test') if args.split == 'all' else (args.split,)
    order = [(s, v) for s in splits for v in collect_fn(cfg, s)]
    for split in splits:
        os.makedirs(osp.join(args.out, split), exist_ok=True)
    if rank == 0:
        check_out_dir(args.out, settings)
    if world > 1:
        torch.distributed.barrier()
    return cfg, rank, world, settings, order


def finish_run(args, records, settings, order, rank, world, write_fn) -> int:
    """Write this rank's records; rank 0 merges them into ``index.json``."""
    with open(osp.join(args.out, f'.index.rank{rank}.json'), 'w') as f:
        json.dump(records, f, default=str)
    if world > 1:
        torch.distributed.barrier()
    if rank == 0:
        path = write_fn(args, settings, order, world)
        print_log(f'{len(order)} video(s) -> {path}', logger='current')
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    cfg, rank, world, settings, order = prepare_run(
        args, settings_of, collect_videos
    )
    backbone = build_backbone(cfg, args)
    settings['backbone_arch'] = backbone.arch
    settings['embed_dim'] = backbone.embed_dim
    settings['image_size'] = list(backbone.image_size)
    records = run_rank(order[rank::world], backbone, settings, args, rank)
    return finish_run(args, records, settings, order, rank, world, write_index)


if __name__ == '__main__':
    sys.exit(main())
