"""Score video files with a VAD model: per-frame scores, segments, plots.

For each video, writes into ``--out``::

    <stem>_scores.csv       frame, time_s, score, p(<class>) ...
    <stem>_scores.npy       float32 (num_frames,) score of every frame
    <stem>_segments.json    top anomalous segments, classes, settings
    <stem>_scores.png       score curve (ground truth shaded with
                            --annotations, segments marked)
    <stem>_heatmap_<frame>.png   with --heatmaps: peak frames of the top
                            segments, patch-prompt anomaly map and the
                            scoring boxes' scores

Examples::

    python tools/infer.py configs/fgclip_ucf.py work_dirs/epoch_10.pth \\
        videos/ --out results --prompts "a person climbing a fence"
    python tools/infer.py configs/fgclip_demo.py none clip.mp4 --out r \\
        --heatmaps     # 'none': the config's initial weights

User prompts extend the config's classes (``--replace-prompts``: replace
them, the normal class stays first); the text encoder runs once per run. A
directory run continues past unreadable files and lists them at the end.
"""

import argparse
import csv
import json
import logging
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from fgclip_mm.annotations import (  # noqa: E402
    VIDEO_EXTENSIONS,
    parse_ucf_test_annotations,
    video_stem,
)

#: video file types of a directory run (feature files excluded)
VIDEO_TYPES = tuple(e for e in VIDEO_EXTENSIONS if e != '.npy')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='model config file')
    parser.add_argument(
        'checkpoint', help="checkpoint file, or 'none' (initial weights)"
    )
    parser.add_argument('videos', help='a video file or a directory of them')
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument(
        '--prompts',
        nargs='+',
        default=None,
        help='anomaly descriptions scored as extra classes',
    )
    parser.add_argument(
        '--replace-prompts',
        action='store_true',
        help='score the normal class and --prompts only',
    )
    parser.add_argument(
        '--heatmaps',
        action='store_true',
        help='region heatmaps of the top segments',
    )
    parser.add_argument(
        '--annotations',
        default=None,
        help='UCF-format test annotation file (ground truth '
        'shaded in the score plots)',
    )
    parser.add_argument(
        '--stride',
        type=int,
        default=None,
        help="score every K-th frame (default: the config's "
        'test frame_interval)',
    )
    parser.add_argument('--batch-clips', type=int, default=8)
    parser.add_argument(
        '--backend', default='pyav', choices=['pyav', 'decord']
    )
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--fp16', action='store_true', help='float16 autocast (cuda)'
    )
    parser.add_argument(
        '--threshold',
        type=float,
        default=0.5,
        help='segment threshold on the frame score',
    )
    parser.add_argument(
        '--top-k', type=int, default=3, help='segments kept per video'
    )
    return parser.parse_args(argv)


def list_videos(path: str) -> List[str]:
    """The video itself, or the videos of a directory (sorted, recursive)."""
    if osp.isfile(path):
        return [path]
    if not osp.isdir(path):
        raise FileNotFoundError(f'no such file or directory: {path}')
    found = []
    for root, _, files in os.walk(path):
        found += [
            osp.join(root, f) for f in files if f.lower().endswith(VIDEO_TYPES)
        ]
    return sorted(found)


def ground_truth(annotations: Optional[str]) -> dict:
    """``{video stem: (K, 2) intervals}`` from a UCF-format file."""
    if not annotations:
        return {}
    return {
        r['video_id']: r['anomaly_intervals']
        for r in parse_ucf_test_annotations(annotations)
    }


def write_scores(result, prefix: str) -> None:
    """``<prefix>_scores.csv`` and ``<prefix>_scores.npy``."""
    np.save(prefix + '_scores.npy', result.scores)
    fps = result.fps or 0.0
    with open(prefix + '_scores.csv', 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(
            ['frame', 'time_s', 'score']
            + [f'p({c})' for c in result.class_names]
        )
        for i, (s, p) in enumerate(zip(result.scores, result.class_probs)):
            t = f'{i / fps:.3f}' if fps else ''
            writer.writerow([i, t, f'{s:.6f}'] + [f'{v:.6f}' for v in p])


def plot_scores(
    result, path: str, intervals=None, threshold: float = 0.5
) -> None:
    """Score curve, ground truth shaded, segments marked."""
    fig, ax = plt.subplots(figsize=(10, 3))
    for i, (s, e) in enumerate(intervals if intervals is not None else []):
        ax.axvspan(
            s,
            e,
            color='tab:red',
            alpha=0.2,
            lw=0,
            label='ground truth' if i == 0 else None,
        )
    ax.plot(
        np.arange(result.num_frames),
        result.scores,
        lw=1.2,
        color='tab:blue',
        label='anomaly score',
    )
    ax.plot(
        result.frame_inds,
        result.scores[result.frame_inds],
        '.',
        ms=2,
        color='tab:blue',
        alpha=0.5,
    )
    ax.axhline(
        threshold,
        color='gray',
        ls='--',
        lw=1,
        label=f'threshold {threshold:g}',
    )
    for seg in result.segments:
        ax.annotate(
            f'{seg["class_name"]} {seg["peak_score"]:.2f}',
            (seg['peak_frame'], seg['peak_score']),
            fontsize=7,
            xytext=(0, 4),
            textcoords='offset points',
            ha='center',
        )
    ax.set(
        xlabel='frame',
        ylabel='score',
        ylim=(-0.02, 1.08),
        xlim=(0, max(result.num_frames - 1, 1)),
        title=osp.basename(result.video),
    )
    ax.grid(alpha=0.3)
    ax.legend(loc='lower right', fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_heatmap(item: dict, path: str, title: str) -> None:
    """A frame with its patch anomaly map and box scores."""
    frame = item['frame']
    h, w = frame.shape[:2]
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    axes[0].imshow(frame)
    im = axes[0].imshow(
        item['patch_scores'],
        cmap='jet',
        alpha=0.45,
        extent=(0, w, h, 0),
        vmin=0,
        vmax=1,
        interpolation='bilinear',
    )
    axes[0].set_title('patch-prompt anomaly map', fontsize=9)
    fig.colorbar(im, ax=axes[0], fraction=0.046)
    axes[1].imshow(frame)
    best = int(np.argmax(item['box_scores']))
    for k, (box, s) in enumerate(zip(item['boxes'], item['box_scores'])):
        x0, y0, x1, y1 = box * [w, h, w, h]
        colour = 'red' if k == best else plt.cm.viridis(float(s))
        axes[1].add_patch(
            plt.Rectangle(
                (x0 + 1, y0 + 1),
                x1 - x0 - 2,
                y1 - y0 - 2,
                fill=False,
                lw=1.5,
                ec=colour,
            )
        )
        axes[1].text(
            x0 + 2,
            y0 + 2 + 5 * (k == 0),
            f'{s:.2f}',
            fontsize=6,
            color='white',
            va='top',
            bbox=dict(fc='black', alpha=0.5, pad=0.5, lw=0),
        )
    axes[1].set_title('scoring boxes (red: highest)', fontsize=9)
    for ax in axes:
        ax.axis('off')
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_outputs(
    result, out_dir: str, args: argparse.Namespace, intervals=None
) -> List[str]:
    """Every output file of one video; returns their paths."""
    prefix = osp.join(out_dir, video_stem(osp.basename(result.video)))
    write_scores(result, prefix)
    meta = dict(
        video=result.video,
        fps=result.fps,
        num_frames=result.num_frames,
        scored_frames=int(result.frame_inds.size),
        class_names=result.class_names,
        threshold=args.threshold,
        segments=result.segments,
    )
    with open(prefix + '_segments.json', 'w') as f:
        json.dump(meta, f, indent=2)
    plot_scores(result, prefix + '_scores.png', intervals, args.threshold)
    paths = [
        prefix + s
        for s in (
            '_scores.csv',
            '_scores.npy',
            '_segments.json',
            '_scores.png',
        )
    ]
    for item in result.heatmaps:
        path = f'{prefix}_heatmap_{item["frame_index"]:06d}.png'
        plot_heatmap(
            item,
            path,
            f'{osp.basename(result.video)} frame '
            f'{item["frame_index"]}, score {item["score"]:.3f}',
        )
        paths.append(path)
    return paths


def load_model(args: argparse.Namespace):
    """The model of ``args``; an unusable checkpoint exits naming it."""
    from fgclip_mm.apis import init_vad_model
    from fgclip_mm.compat import UnsafeCheckpointError
    from fgclip_mm.engine import CheckpointError

    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    try:
        return init_vad_model(args.config, checkpoint, args.device)
    except (CheckpointError, UnsafeCheckpointError) as err:
        sys.exit(f'error: {err}')  # the file and the keys that differ


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run inference on every video; 0 when all succeeded, 1 otherwise."""
    args = parse_args(argv)
    import torch
    from mmengine.logging import MMLogger

    from fgclip_mm.apis import inference_vad, set_prompts
    from fgclip_mm.datasets.video_io import VideoReadError

    MMLogger.get_current_instance().setLevel(logging.WARNING)
    videos = list_videos(args.videos)
    os.makedirs(args.out, exist_ok=True)
    model = load_model(args)
    names = set_prompts(
        model, args.prompts, 'replace' if args.replace_prompts else 'extend'
    )
    print(f'classes: {names}', file=sys.stderr)
    gt = ground_truth(args.annotations)
    amp = torch.float16 if args.fp16 else None
    failed = []
    for video in tqdm(
        videos, desc='videos', unit='video', disable=len(videos) < 2
    ):
        try:
            result = inference_vad(
                model,
                video,
                threshold=args.threshold,
                top_k=args.top_k,
                heatmaps=args.heatmaps,
                stride=args.stride,
                batch_clips=args.batch_clips,
                backend=args.backend,
                amp_dtype=amp,
                progress=True,
            )
        except Exception as e:  # noqa: BLE001  (named, listed, skipped)
            kind = (
                ''
                if isinstance(e, VideoReadError)
                else f'{type(e).__name__}: '
            )
            msg = f'{kind}{e}'
            tqdm.write(f'FAILED {video}: {msg}', file=sys.stderr)
            failed.append((video, msg))
            continue
        stem = video_stem(osp.basename(video))
        write_outputs(result, args.out, args, gt.get(stem))
    done = len(videos) - len(failed)
    print(
        f'{done}/{len(videos)} videos scored, outputs in {args.out}',
        file=sys.stderr,
    )
    for video, err in failed:
        print(f'  failed: {video}: {err}', file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
