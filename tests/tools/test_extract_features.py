"""tools/extract_features.py: SIGKILL halfway, rerun, same bytes as an
uninterrupted run, finished videos not recomputed (issue 9, acceptance 3)."""

import glob
import importlib.util
import json
import os
import os.path as osp
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/fgclip_demo.py'
ARGS = ['--snippet-length', '4', '--chunk', '2']


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        'extract_features', osp.join(REPO, 'tools', 'extract_features.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_snippet_frames():
    tool = _load_tool()
    # 37 frames, L = 16: two whole snippets (trailing 5 frames dropped)
    assert tool.snippet_frames(37, 16, 1).tolist() == [[8], [24]]
    assert tool.snippet_frames(37, 16, 4).tolist() == [
        [2, 6, 10, 14],
        [18, 22, 26, 30],
    ]
    # shorter than one snippet: one snippet, indices clipped
    assert tool.snippet_frames(5, 16, 2).tolist() == [[4, 4]]


def test_out_dir_of_other_settings_is_refused(tmp_path):
    tool = _load_tool()
    tool.check_out_dir(str(tmp_path), dict(config_hash='aaa'))
    tool.check_out_dir(str(tmp_path), dict(config_hash='aaa'))
    with pytest.raises(SystemExit, match='holds features of other settings'):
        tool.check_out_dir(str(tmp_path), dict(config_hash='bbb'))


def _extract_killed(out, data, kill_after):
    """A subprocess SIGKILLed after ``kill_after`` chunks."""
    env = dict(
        os.environ,
        FGCLIP_DEMO_ROOT=str(data),
        OMP_NUM_THREADS='1',
        FGCLIP_EXTRACT_KILL_AFTER_CHUNKS=str(kill_after),
    )
    res = subprocess.run(
        [
            sys.executable,
            'tools/extract_features.py',
            CONFIG,
            '--out',
            str(out),
            '--device',
            'cpu',
            *ARGS,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return res, res.stdout + res.stderr


def _extract_here(tool, out, monkeypatch):
    """An in-process run (one thread, as the subprocess); returns the ids
    of the videos it computed."""
    computed = []
    real = tool.extract_video

    def counting(video, *args, **kwargs):
        computed.append(video['video_id'])
        return real(video, *args, **kwargs)

    monkeypatch.setattr(tool, 'extract_video', counting)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        assert (
            tool.main([CONFIG, '--out', str(out), '--device', 'cpu', *ARGS])
            == 0
        )
    finally:
        torch.set_num_threads(threads)
    return computed


def _features(out):
    files = sorted(glob.glob(osp.join(str(out), '*', '*.npy')))
    return {osp.relpath(f, str(out)): f for f in files}


@pytest.mark.slow
def test_kill_and_resume_is_bit_identical(tmp_path, monkeypatch):
    from fgclip_mm.datasets.demo_data import DemoConfig, make_demo_dataset

    data = tmp_path / 'demo'
    make_demo_dataset(
        str(data),
        seed=0,
        cfg=DemoConfig(
            num_train_normal=2,
            num_train_anomalous=2,
            num_test_normal=2,
            num_test_anomalous=2,
            min_frames=24,
            max_frames=32,
        ),
    )
    monkeypatch.setenv('FGCLIP_DEMO_ROOT', str(data))
    monkeypatch.chdir(REPO)
    tool = _load_tool()

    assert len(_extract_here(tool, tmp_path / 'full', monkeypatch)) == 8
    full = _features(tmp_path / 'full')
    assert len(full) == 8

    # 6-8 snippets per video, 2 per chunk: killed inside the 3rd video
    res, log = _extract_killed(tmp_path / 'resumed', data, kill_after=9)
    assert res.returncode == -signal.SIGKILL, log
    before = _features(tmp_path / 'resumed')
    assert 1 <= len(before) < 8
    parts = glob.glob(str(tmp_path / 'resumed' / '*' / '.*.part-*'))
    assert len(parts) == 1  # the half-written video, under a temporary name
    assert not osp.exists(tmp_path / 'resumed' / 'index.json')
    mtimes = {k: os.stat(f).st_mtime_ns for k, f in before.items()}

    computed = _extract_here(tool, tmp_path / 'resumed', monkeypatch)
    assert len(computed) == 8 - len(before)
    assert not {osp.basename(k)[:-4] for k in before} & set(computed)
    after = _features(tmp_path / 'resumed')
    assert {k: os.stat(after[k]).st_mtime_ns for k in before} == mtimes
    assert sorted(after) == sorted(full)
    for key, path in full.items():
        with open(path, 'rb') as a, open(after[key], 'rb') as b:
            assert a.read() == b.read(), key
        assert np.load(path).dtype == np.float16
    assert not glob.glob(str(tmp_path / 'resumed' / '*' / '.*.part-*'))
    with open(tmp_path / 'full' / 'index.json') as f:
        index_full = json.load(f)
    with open(tmp_path / 'resumed' / 'index.json') as f:
        index_resumed = json.load(f)
    assert index_resumed['splits'] == index_full['splits']
    video = index_full['splits']['test']['Explosion_test_000']
    assert video['num_snippets'] == video['total_frames'] // 4
    assert video['shape'] == [video['num_snippets'], 1, 64]


class _StubReader:
    """Frames whose pixel (y, x) holds (frame, y, x) after resizing."""

    frame_shape = (30, 40)

    def get_frames(self, inds, size):
        width, height = size
        ys, xs = np.meshgrid(
            np.arange(height), np.arange(width), indexing='ij'
        )
        return np.stack(
            [np.stack([np.full_like(ys, i), ys, xs], axis=-1) for i in inds]
        ).astype(np.uint8)


@pytest.mark.parametrize(
    'crops,num', [('none', 1), ('center', 1), ('five', 5), ('ten', 10)]
)
def test_crop_frames(crops, num):
    tool = _load_tool()
    out = tool.crop_frames(_StubReader(), np.array([3, 7]), 16, crops)
    assert len(out) == num
    assert all(c.shape == (2, 16, 16, 3) for c in out)
    assert out[0][1, 0, 0, 0] == 7
    if crops == 'center':  # short side 30 -> 16: frame 21x16, x offset 2
        assert (out[0][0, 0, 0, 1], out[0][0, 0, 0, 2]) == (0, 2)
    if crops in ('five', 'ten'):  # 256/224 upscale: 18 rows, 24 columns
        corners = [(c[0, 0, 0, 1], c[0, 0, 0, 2]) for c in out[:4]]
        assert corners == [(0, 0), (0, 8), (2, 0), (2, 8)]
    if crops == 'ten':
        np.testing.assert_array_equal(out[5], out[0][:, :, ::-1])
