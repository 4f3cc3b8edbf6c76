import json
import os.path as osp
import subprocess
import sys

import decord
import numpy as np

from fgclip_mm.datasets import TimestampSegmentDataset
from fgclip_mm.datasets.demo_data import (
    DEMO_CAPTIONS,
    DEMO_CLASSES,
    make_demo_dataset,
)
from fgclip_mm.datasets.transforms import read_frames

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_default_demo_is_deterministic_readable_and_loadable(tmp_path):
    a, b = str(tmp_path / 'a'), str(tmp_path / 'b')
    summary = make_demo_dataset(a, seed=0)
    make_demo_dataset(b, seed=0)
    assert summary['seconds'] < 30
    for name in (
        'train.json',
        'test_annotations.txt',
        'test_frame_counts.txt',
    ):
        with open(osp.join(a, name)) as fa, open(osp.join(b, name)) as fb:
            assert fa.read() == fb.read(), name

    train = TimestampSegmentDataset(
        'train.json',
        pipeline=[],
        data_root=a,
        metainfo=dict(classes=DEMO_CLASSES),
    )
    assert len(train) == 40
    assert train.summary['label_counts'] == dict(
        Normal=20, Explosion=10, Fighting=10
    )
    for i in range(len(train)):
        info = train.get_data_info(i)
        assert len(decord.VideoReader(info['filename'])) > 0
    test = TimestampSegmentDataset(
        'test_annotations.txt',
        pipeline=[],
        data_root=a,
        data_prefix=dict(video='videos/test'),
        frame_counts_file='test_frame_counts.txt',
        metainfo=dict(classes=DEMO_CLASSES),
        test_mode=True,
        clip_len=8,
    )
    assert test.summary['num_kept'] == 16
    counts = dict(
        line.split() for line in open(osp.join(a, 'test_frame_counts.txt'))
    )
    for name, n in counts.items():
        assert len(
            decord.VideoReader(osp.join(a, 'videos/test', name))
        ) == int(n)


def test_demo_annotations_use_only_the_fixed_captions(demo_dir):
    entries = json.load(open(osp.join(demo_dir, 'train.json')))
    for e in entries:
        cls = e['video'].split('/')[-2]
        assert e['global_caption'] in DEMO_CAPTIONS[cls]['global']
        assert all(
            c in DEMO_CAPTIONS[cls]['region'] for c in e['region_captions']
        )
        if cls == 'Normal':
            assert e['box_infos'] == [[]] and e['timestamps'] is not None
        else:
            assert e['timestamps'] is None
            assert all(len(r) >= 2 for r in e['box_infos'])


def test_demo_boxes_tightly_enclose_the_anomalous_object(demo_dir):
    entries = json.load(open(osp.join(demo_dir, 'train.json')))
    explosion = next(e for e in entries if '/Explosion/' in e['video'])
    kf = explosion['box_infos'][0][-1]
    img = read_frames(osp.join(demo_dir, explosion['video']), [kf['frame']])[
        0
    ].astype(int)
    size = img.shape[0]
    # orange/yellow pixels: strong red, weak blue; never in the background
    fire = (img[..., 0] > 200) & (img[..., 2] < 140)
    ys, xs = np.nonzero(fire)
    found = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]) / size
    np.testing.assert_allclose(found, kf['bbox'], atol=2.5 / size)


def test_anomalies_are_visible_in_pixels_of_test_videos(demo_dir):
    """Frames inside the annotated interval have saturated red/orange pixels
    (fireball or fighters), frames outside it and normal videos never do."""
    for line in open(osp.join(demo_dir, 'test_annotations.txt')):
        name, cls, s, e = line.split()[:4]
        path = osp.join(demo_dir, 'videos', 'test', name)
        n = len(decord.VideoReader(path))
        frames = read_frames(path, range(n)).astype(int)
        red = (frames[..., 0] - frames[..., 2] > 100).sum(axis=(1, 2))
        if cls == 'Normal':
            assert red.max() == 0, name
        else:
            s, e = int(s), int(e)
            assert red[s:e].min() >= 10, name
            assert red[:s].max() == 0 and red[e:].max() == 0, name


def test_cli_writes_the_dataset(tmp_path):
    out = tmp_path / 'cli'
    proc = subprocess.run(
        [
            sys.executable,
            osp.join(REPO, 'tools', 'data', 'make_demo_dataset.py'),
            '--out',
            str(out),
            '--seed',
            '3',
            '--num-train-normal',
            '1',
            '--num-train-anomalous',
            '2',
            '--num-test-normal',
            '1',
            '--num-test-anomalous',
            '1',
            '--size',
            '64',
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)['num_train'] == 3
    assert len(json.load(open(out / 'train.json'))) == 3
    assert (out / 'README.md').exists()
