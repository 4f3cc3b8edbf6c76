import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
from sklearn import metrics as skm

from fgclip_mm.evaluation.functional import save_vad_dump

TOOL = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'tools',
    'analysis',
    'compare.py',
)


def load_tool():
    spec = importlib.util.spec_from_file_location('compare_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_work_dir(root, name, seed, stats=None):
    rng = np.random.default_rng(seed)
    videos = {}
    for i in range(6):
        labels = np.zeros(40, np.uint8)
        if i % 2:
            labels[10:25] = 1
        scores = rng.random(40) * 0.7 + labels * 0.3 * (seed + 1) / 3
        videos[f'v{i}'] = dict(
            scores=scores,
            labels=labels,
            class_name='Abuse' if i % 2 else 'Normal',
        )
    work_dir = root / name
    work_dir.mkdir()
    save_vad_dump(
        str(work_dir / 'results.npz'), videos, meta=dict(far_threshold=0.5)
    )
    if stats is not None:
        (work_dir / 'run_stats.json').write_text(json.dumps(stats))
    return str(work_dir), videos


def test_rows_recompute_metrics_and_read_costs(tmp_path):
    tool = load_tool()
    stats = dict(
        params=1000,
        trainable_params=10,
        epochs=[
            dict(epoch=1, epoch_time=2.0, samples_per_s=4.0, peak_rss_mb=500),
            dict(epoch=2, epoch_time=4.0, samples_per_s=2.0, peak_rss_mb=700),
        ],
    )
    work_dir, videos = make_work_dir(tmp_path, 'mil', 1, stats)
    row = tool.method_row(work_dir)
    labels = np.concatenate([v['labels'] for v in videos.values()])
    scores = np.concatenate([v['scores'] for v in videos.values()])
    assert row['method'] == 'mil'
    assert row['AUC'] == pytest.approx(skm.roc_auc_score(labels, scores))
    assert row['AP'] == pytest.approx(
        skm.average_precision_score(labels, scores)
    )
    p, r, _ = skm.precision_recall_curve(labels, scores)
    assert row['AP_pr_auc'] == pytest.approx(skm.auc(r, p))
    normal = np.concatenate(
        [np.full(40, v['class_name'] == 'Normal') for v in videos.values()]
    )
    assert row['FAR'] == pytest.approx(np.mean(scores[normal] >= 0.5))
    assert row['AUC_A'] == pytest.approx(
        skm.roc_auc_score(labels[~normal], scores[~normal])
    )
    assert (row['epoch_time'], row['samples_per_s']) == (3.0, 3.0)
    assert row['peak_rss_mb'] == 700 and row['params'] == 1000


def test_table_has_a_row_per_method_and_dashes_for_missing(tmp_path, capsys):
    tool = load_tool()
    a, _ = make_work_dir(tmp_path, 'a', 0, dict(params=5, epochs=[]))
    b, _ = make_work_dir(tmp_path, 'b', 2)
    out = tmp_path / 'table.md'
    table = tool.main(
        [a, b, '--names', 'MIL', 'RTFM', '--no-build', '--out', str(out)]
    )
    lines = table.strip().splitlines()
    assert lines[0].startswith('| method | AUC | AP | AP (pr_auc) |')
    assert lines[2].startswith('| MIL | ') and lines[3].startswith('| RTFM | ')
    assert lines[3].split('|')[-3].strip() == '-'  # no params for b
    assert out.read_text() == table


def test_work_dir_without_dump_is_named(tmp_path):
    tool = load_tool()
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='empty: no \\*.npz test dump'):
        tool.method_row(str(tmp_path / 'empty'))


def test_costs_come_from_the_dump_when_the_work_dir_has_no_record(tmp_path):
    from fgclip_mm.evaluation.functional import update_vad_dump_meta

    tool = load_tool()
    work_dir, _ = make_work_dir(tmp_path, 'tested_elsewhere', 0)
    stats = dict(
        params=7,
        trainable_params=3,
        epochs=[
            dict(epoch=1, epoch_time=1.0, samples_per_s=8.0, peak_rss_mb=90),
            dict(epoch=2, epoch_time=3.0, samples_per_s=6.0, peak_rss_mb=80),
        ],
    )
    update_vad_dump_meta(
        osp.join(work_dir, 'results.npz'), {'run_stats': stats}
    )
    row = tool.method_row(work_dir, build_models=False)
    assert (row['epoch_time'], row['samples_per_s']) == (2.0, 7.0)
    assert (row['peak_rss_mb'], row['params']) == (90, 7)
    assert '| 2.00 | 7.0 | 90 | - | 7 | 3 |' in tool.markdown_table([row])
