"""tools/analysis/benchmark_inference.py: a smoke run on a tiny input.

Speed is never asserted; the run checks the JSON contract and that ours and
the naive loop score identical frames identically."""

import importlib.util
import json
import os.path as osp

import cv2
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
KEYS = {
    'naive_fps',
    'ours_fps',
    'ceiling_fps',
    'speedup_vs_naive',
    'fraction_of_ceiling',
    'same_work_speedup',
    'same_work_max_abs_diff',
    'auc_stride',
    'auc_every_frame',
    'peak_rss_mb',
    'device',
}


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location(
        'benchmark_inference',
        osp.join(REPO, 'tools', 'analysis', 'benchmark_inference.py'),
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_smoke_run_prints_the_json_line(bench, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    bench.main(
        [
            '--config',
            'configs/fgclip_demo.py',
            '--frames',
            '48',
            '--repeats',
            '1',
            '--batch-clips',
            '2',
        ]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert KEYS <= set(result)
    assert result['device'] == 'cpu'
    # identical frames, identical clips: the same scores
    assert result['same_work_max_abs_diff'] <= 1e-3
    assert result['online_latency_frames'] == 2 * 8 * 2 + 1
    for key in ('naive_fps', 'ours_fps', 'ceiling_fps'):
        assert result[key] > 0
    assert any(ln.startswith('| naive |') for ln in lines)


def test_long_video_generator_writes_the_frames_it_says(bench, tmp_path):
    path = str(tmp_path / 'long.mp4')
    n = bench.make_long_video(path, seconds=1.0, fps=12, size=(64, 48))
    cap = cv2.VideoCapture(path)
    count = 0
    while cap.read()[0]:
        count += 1
    assert n == count == 12
    assert int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == 64


def test_labelled_video_has_an_anomaly(bench, tmp_path):
    video, labels = bench.make_labelled_video(str(tmp_path), 40, (64, 48))
    assert labels.shape == (40,) and 0 < labels.sum() < 40
    cap = cv2.VideoCapture(video)
    assert int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == 48
