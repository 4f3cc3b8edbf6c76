"""Plot ROC / PR curves and per-video score curves from a VAD dump.

The dump is the ``.npz`` file written by ``VADMetric(dump_file=...)`` (see
``docs/evaluation.md``). Example::

    python tools/analysis/plot_vad_results.py work_dirs/fgclip/vad_dump.npz \\
        --out-dir work_dirs/fgclip/plots --max-videos 20

writes ``roc_pr.png`` (pooled frame-level ROC and PR curves) and
``videos/<video_id>.png`` (score per frame, ground-truth events shaded).
"""

import argparse
import os
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from fgclip_mm.evaluation.functional import (  # noqa: E402
    average_precision,
    labels_to_intervals,
    load_vad_dump,
    pr_curve_points,
    roc_auc,
    roc_curve_points,
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Plot ROC/PR curves and per-video score curves from a '
        'VADMetric dump (.npz).'
    )
    parser.add_argument('dump', help='dump file written by VADMetric')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument(
        '--videos', nargs='+', help='plot only these video ids'
    )
    parser.add_argument(
        '--max-videos',
        type=int,
        default=None,
        help='plot at most this many videos (anomalous first)',
    )
    parser.add_argument(
        '--no-videos',
        action='store_true',
        help='only draw the ROC and PR curves',
    )
    parser.add_argument('--dpi', type=int, default=100)
    return parser.parse_args(argv)


def _safe_name(video_id: str) -> str:
    """A file name for a video id (path separators and odd characters
    replaced)."""
    return re.sub(r'[^A-Za-z0-9._#=+-]', '_', video_id) or 'video'


def plot_curves(
    videos: Dict[str, dict], meta: dict, path: str, dpi: int = 100
) -> str:
    """Draw the pooled frame-level ROC and PR curves side by side.

    Args:
        videos (dict): Per-video entries of :func:`load_vad_dump`.
        meta (dict): Dump metadata (protocol, AP convention).
        path (str): Output PNG.
        dpi (int): Resolution.

    Returns:
        str: ``path``.
    """
    scores = np.concatenate([v['scores'] for v in videos.values()])
    labels = np.concatenate([v['labels'] for v in videos.values()])
    convention = meta.get('ap_convention', 'sklearn')
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(10, 4.5))
    if labels.any() and not labels.all():
        fpr, tpr, _ = roc_curve_points(labels, scores)
        ax_roc.plot(
            fpr, tpr, lw=1.5, label=f'AUC = {roc_auc(labels, scores):.4f}'
        )
        precision, recall, _ = pr_curve_points(labels, scores)
        ap = average_precision(labels, scores, convention)
        ax_pr.plot(
            recall, precision, lw=1.5, label=f'AP ({convention}) = {ap:.4f}'
        )
        ax_pr.axhline(
            labels.mean(),
            color='gray',
            ls=':',
            lw=1,
            label=f'chance = {labels.mean():.3f}',
        )
    else:
        for ax in (ax_roc, ax_pr):
            ax.text(0.5, 0.5, 'undefined: one class only', ha='center')
    ax_roc.plot([0, 1], [0, 1], color='gray', ls=':', lw=1)
    ax_roc.set(
        xlabel='false positive rate',
        ylabel='true positive rate',
        title='ROC (frame level)',
        xlim=(0, 1),
        ylim=(0, 1.01),
    )
    ax_pr.set(
        xlabel='recall',
        ylabel='precision',
        title='Precision-recall',
        xlim=(0, 1),
        ylim=(0, 1.01),
    )
    for ax in (ax_roc, ax_pr):
        ax.grid(alpha=0.3)
        ax.legend(loc='lower right' if ax is ax_roc else 'upper right')
    fig.suptitle(
        f'{len(videos)} videos, {scores.size} frames, protocol '
        f'{meta.get("protocol", "?")}'
    )
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def plot_video(
    video_id: str,
    video: dict,
    path: str,
    dpi: int = 100,
    threshold: Optional[float] = None,
) -> str:
    """Draw one video's score curve with its ground-truth events shaded.

    Args:
        video_id (str): Title.
        video (dict): ``scores`` (n,), ``labels`` (n,), ``class_name``.
        path (str): Output PNG.
        dpi (int): Resolution.
        threshold (float, optional): Decision threshold drawn as a dashed
            line (the dump's ``far_threshold``).

    Returns:
        str: ``path``.
    """
    scores, labels = video['scores'], video['labels']
    fig, ax = plt.subplots(figsize=(10, 3))
    for i, (start, end) in enumerate(labels_to_intervals(labels)):
        ax.axvspan(
            start,
            end,
            color='tab:red',
            alpha=0.2,
            lw=0,
            label='ground truth' if i == 0 else None,
        )
    ax.plot(
        np.arange(scores.size),
        scores,
        color='tab:blue',
        lw=1.2,
        label='anomaly score',
    )
    if threshold is not None:
        ax.axhline(
            threshold,
            color='gray',
            ls='--',
            lw=1,
            label=f'threshold {threshold:g}',
        )
    low = min(0.0, float(scores.min())) if scores.size else 0.0
    high = max(1.0, float(scores.max())) if scores.size else 1.0
    ax.set(
        xlabel='frame',
        ylabel='score',
        xlim=(0, max(scores.size, 1)),
        ylim=(low, high + 0.02 * (high - low)),
        title=f'{video_id} ({video.get("class_name") or "?"})',
    )
    ax.grid(alpha=0.3)
    ax.legend(loc='upper right')
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def select_videos(
    videos: Dict[str, dict],
    wanted: Optional[Sequence[str]] = None,
    max_videos: Optional[int] = None,
) -> List[str]:
    """Video ids to plot: ``wanted`` (in that order) or all, anomalous
    videos first, truncated to ``max_videos``."""
    if wanted:
        unknown = [v for v in wanted if v not in videos]
        if unknown:
            raise KeyError(f'videos not in the dump: {unknown}')
        ids = list(wanted)
    else:
        ids = sorted(videos, key=lambda v: (not videos[v]['is_anomalous'], v))
    return ids[:max_videos] if max_videos is not None else ids


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    videos, meta = load_vad_dump(args.dump)
    os.makedirs(args.out_dir, exist_ok=True)
    written = [
        plot_curves(
            videos, meta, osp.join(args.out_dir, 'roc_pr.png'), args.dpi
        )
    ]
    if not args.no_videos:
        video_dir = osp.join(args.out_dir, 'videos')
        os.makedirs(video_dir, exist_ok=True)
        try:
            selected = select_videos(videos, args.videos, args.max_videos)
        except KeyError as e:
            print(f'error: {e.args[0]}', file=sys.stderr)
            return 1
        for vid in selected:
            written.append(
                plot_video(
                    vid,
                    videos[vid],
                    osp.join(video_dir, f'{_safe_name(vid)}.png'),
                    args.dpi,
                    meta.get('far_threshold'),
                )
            )
    print(f'wrote {len(written)} PNG file(s) under {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
