"""One Markdown table of every method's results and costs.

Each work dir is one method: the table row comes from its test dump (the
``.npz`` that ``tools/test.py --dump`` or ``VADMetric(dump_file=...)``
writes; ``results.npz`` if present, else the newest ``*.npz``) and its
``run_stats.json`` (written by ``RunStatsHook`` during training; else the
training record that ``RunStatsHook`` adds to the dump's meta). All metrics
are recomputed from the dumped frame scores and labels with the same
functions, so every row uses the same conventions::

    python tools/analysis/compare.py work_dirs/mil work_dirs/rtfm \\
        work_dirs/fgclip --out table.md

Columns: AUC, AP in both conventions (``sklearn``: average precision score;
``pr_auc``: trapezoidal area under the PR curve), AUC_A (anomalous videos
only), FAR (normal-video frames >= 0.5), FAR@95, mean training epoch time,
samples/s, peak RSS, peak GPU memory and the parameter counts (total /
trainable). Parameters of a method without a training record (e.g.
zero-shot) are counted by building the model from the config the runner
saved in its work dir.
"""

import argparse
import glob
import json
import math
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from fgclip_mm.engine.hooks.run_stats_hook import summarize_run_stats
from fgclip_mm.evaluation.functional import (
    average_precision,
    far_at_recall,
    far_at_threshold,
    load_vad_dump,
    roc_auc,
)

#: (column title, row key, format) of the table.
COLUMNS = [
    ('method', 'method', '{}'),
    ('AUC', 'AUC', '{:.4f}'),
    ('AP', 'AP', '{:.4f}'),
    ('AP (pr_auc)', 'AP_pr_auc', '{:.4f}'),
    ('AUC_A', 'AUC_A', '{:.4f}'),
    ('FAR', 'FAR', '{:.4f}'),
    ('FAR@95', 'FAR@95', '{:.4f}'),
    ('epoch time (s)', 'epoch_time', '{:.2f}'),
    ('samples/s', 'samples_per_s', '{:.1f}'),
    ('peak RSS (MiB)', 'peak_rss_mb', '{:.0f}'),
    ('peak GPU (MiB)', 'peak_gpu_mb', '{:.0f}'),
    ('params', 'params', '{:,}'),
    ('trainable', 'trainable_params', '{:,}'),
]


def find_dump(work_dir: str, name: Optional[str] = None) -> str:
    """The dump of a work dir: ``name`` if given, ``results.npz`` if
    present, else the newest ``*.npz``."""
    if name is not None:
        path = osp.join(work_dir, name)
        if not osp.isfile(path):
            raise FileNotFoundError(f'{work_dir}: no dump {name}')
        return path
    if osp.isfile(osp.join(work_dir, 'results.npz')):
        return osp.join(work_dir, 'results.npz')
    dumps = sorted(glob.glob(osp.join(work_dir, '*.npz')), key=osp.getmtime)
    if not dumps:
        raise FileNotFoundError(
            f'{work_dir}: no *.npz test dump (run tools/test.py CONFIG CKPT '
            f'--dump {work_dir}/results.npz)'
        )
    return dumps[-1]


def dump_metrics(path: str) -> Dict[str, float]:
    """Metrics recomputed from a dump's frame scores and labels."""
    videos, meta = load_vad_dump(path)
    videos = list(videos.values())
    scores = np.concatenate([v['scores'] for v in videos]).astype(np.float64)
    labels = np.concatenate([v['labels'] for v in videos])
    normal = np.concatenate(
        [np.full(v['scores'].size, not v['is_anomalous']) for v in videos]
    )
    far_threshold = meta.get('far_threshold', 0.5)
    return {
        'AUC': roc_auc(labels, scores),
        'AP': average_precision(labels, scores, 'sklearn'),
        'AP_pr_auc': average_precision(labels, scores, 'pr_auc'),
        'AUC_A': roc_auc(labels[~normal], scores[~normal]),
        'FAR': far_at_threshold(scores[normal], far_threshold),
        'FAR@95': far_at_recall(labels, scores, normal, 0.95)[0],
    }


def run_stats(
    work_dir: str, dump_path: Optional[str] = None
) -> Dict[str, float]:
    """Cost columns from ``run_stats.json``, else from the test dump's
    ``meta['run_stats']`` (``RunStatsHook``); empty if neither has them."""
    path = osp.join(work_dir, 'run_stats.json')
    if osp.isfile(path):
        with open(path) as f:
            stats = json.load(f)
    elif dump_path is not None:
        stats = load_vad_dump(dump_path)[1].get('run_stats') or {}
    else:
        return {}
    return summarize_run_stats(stats)


def model_params(work_dir: str) -> Dict[str, int]:
    """Parameter counts of the model of the config saved in ``work_dir``."""
    configs = sorted(glob.glob(osp.join(work_dir, '*.py')))
    if not configs:
        return {}
    from mmaction.registry import MODELS
    from mmaction.utils import register_all_modules
    from mmengine.config import Config

    import fgclip_mm  # noqa: F401  (registers the models)
    from fgclip_mm.engine.hooks import count_parameters

    register_all_modules(init_default_scope=True)
    return count_parameters(MODELS.build(Config.fromfile(configs[0]).model))


def method_row(
    work_dir: str,
    name: Optional[str] = None,
    dump_name: Optional[str] = None,
    build_models: bool = True,
) -> Dict:
    """All columns of one work dir."""
    row = dict(method=name or osp.basename(osp.normpath(work_dir)))
    dump = find_dump(work_dir, dump_name)
    row.update(dump_metrics(dump))
    row.update(run_stats(work_dir, dump))
    if 'params' not in row and build_models:
        row.update(model_params(work_dir))
    return row


def _cell(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '-'
    return fmt.format(value)


def markdown_table(rows: List[Dict]) -> str:
    """The rows as a Markdown table (``-`` where a value is missing)."""
    lines = [
        '| ' + ' | '.join(title for title, _, _ in COLUMNS) + ' |',
        '|' + '|'.join(' --- ' for _ in COLUMNS) + '|',
    ]
    for row in rows:
        lines.append(
            '| '
            + ' | '.join(_cell(row.get(key), fmt) for _, key, fmt in COLUMNS)
            + ' |'
        )
    return '\n'.join(lines) + '\n'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+', help='one per method')
    parser.add_argument(
        '--names', nargs='+', help='row names (default: the work dir names)'
    )
    parser.add_argument('--dump-name', help='dump file name in each work dir')
    parser.add_argument(
        '--no-build',
        action='store_true',
        help='do not build models to count parameters',
    )
    parser.add_argument('--out', help='also write the table to this file')
    args = parser.parse_args(argv)
    if args.names and len(args.names) != len(args.work_dirs):
        parser.error('--names needs one name per work dir')
    return args


def main(argv=None) -> str:
    args = parse_args(argv)
    names = args.names or [None] * len(args.work_dirs)
    rows = [
        method_row(d, n, args.dump_name, not args.no_build)
        for d, n in zip(args.work_dirs, names)
    ]
    table = markdown_table(rows)
    print(table, end='')
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table)
    return table


if __name__ == '__main__':
    main()
