"""tools/analysis/plot_vad_results.py draws PNGs from a VAD dump."""

import importlib.util
import os.path as osp

import numpy as np
import pytest

from fgclip_mm.evaluation.functional import save_vad_dump

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        'plot_vad_results',
        osp.join(REPO, 'tools', 'analysis', 'plot_vad_results.py'),
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plot_tool = _load_tool()

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


@pytest.fixture
def dump(tmp_path):
    rng = np.random.default_rng(0)
    videos = {}
    for i, (n, event) in enumerate(
        ((120, (30, 60)), (80, None), (90, None), (100, (0, 20)))
    ):
        labels = np.zeros(n, np.uint8)
        if event:
            labels[event[0] : event[1]] = 1
        videos[f'v{i}/odd name'] = dict(
            scores=np.clip(rng.random(n) * 0.6 + labels * 0.4, 0, 1),
            labels=labels,
            class_name='Abuse' if event else 'Normal',
        )
    return save_vad_dump(
        str(tmp_path / 'dump.npz'),
        videos,
        meta=dict(protocol='frame', ap_convention='pr_auc'),
    )


def _is_png(path):
    with open(path, 'rb') as f:
        return f.read(8) == PNG_MAGIC


def test_plots_curves_and_per_video_pngs(tmp_path, dump):
    out = tmp_path / 'plots'
    assert plot_tool.main([dump, '--out-dir', str(out)]) == 0
    assert _is_png(out / 'roc_pr.png')
    pngs = sorted(p.name for p in (out / 'videos').iterdir())
    assert pngs == [f'v{i}_odd_name.png' for i in range(4)]
    assert all(_is_png(out / 'videos' / p) for p in pngs)


def test_max_videos_plots_anomalous_videos_first(tmp_path, dump):
    out = tmp_path / 'plots'
    assert (
        plot_tool.main([dump, '--out-dir', str(out), '--max-videos', '2']) == 0
    )
    assert sorted(p.name for p in (out / 'videos').iterdir()) == [
        'v0_odd_name.png',
        'v3_odd_name.png',
    ]


def test_unknown_video_is_a_clear_error(tmp_path, dump, capsys):
    rc = plot_tool.main(
        [
            dump,
            '--out-dir',
            str(tmp_path / 'p'),
            '--videos',
            'nope',
            '--no-videos',
        ]
    )
    assert rc == 0  # --no-videos: the video list is not consulted
    rc = plot_tool.main(
        [dump, '--out-dir', str(tmp_path / 'p'), '--videos', 'nope']
    )
    assert rc == 1
    assert 'nope' in capsys.readouterr().err
