"""The demo split where regions matter (``small_anomalies``) and the
simulated person detections written with every demo dataset."""

import importlib.util
import json
import os.path as osp
import sys

import numpy as np
import pytest

from fgclip_mm.datasets.demo_data import DEMO_SMALL_CAPTIONS
from fgclip_mm.datasets.demo_rendering import render_video, simulate_detections
from fgclip_mm.datasets.pseudo_boxes import load_pseudo_boxes

SIZE, FRAMES, EVENT = 96, 40, (5, 35)


def area(box):
    return (box[2] - box[0]) * (box[3] - box[1]) / SIZE**2


def red_share(frames):
    r, g, b = (frames[..., c].astype(int) for c in range(3))
    return float(np.mean((r > 150) & (g < 90) & (b < 90)))


@pytest.mark.parametrize('cls', ['Explosion', 'Fighting'])
def test_small_anomalies_cover_a_few_percent_among_a_crowd(cls):
    frames, boxes, people = render_video(
        np.random.default_rng(3), SIZE, FRAMES, cls, EVENT, small=True
    )
    inside = [b for region in boxes for b in region if b is not None]
    assert len(inside) == len(boxes) * (EVENT[1] - EVENT[0])
    # each region at most ~3 % of the frame, all regions together < 6 %
    assert max(area(b) for b in inside) < 0.03
    for t in range(*EVENT):
        assert sum(area(r[t]) for r in boxes) < 0.06
    walkers = len(people[0])
    assert 8 <= walkers <= 12
    _, big_boxes, big_people = render_video(
        np.random.default_rng(3), SIZE, FRAMES, cls, EVENT
    )
    assert len(big_people[0]) <= 4
    assert max(area(b) for r in big_boxes for b in r if b is not None) > max(
        area(b) for b in inside
    )


def test_small_fighters_wear_the_crowd_colours_with_a_small_red_detail():
    frames, boxes, people = render_video(
        np.random.default_rng(5), SIZE, FRAMES, 'Fighting', EVENT, small=True
    )
    big, _, _ = render_video(
        np.random.default_rng(5), SIZE, FRAMES, 'Fighting', EVENT
    )
    during = slice(*EVENT)
    assert 0 < red_share(frames[during]) < 0.005
    assert red_share(big[during]) > 4 * red_share(frames[during])
    # the fighters are persons too: the detector sees them
    assert len(people[EVENT[0]]) == len(people[0]) + 2
    # they move fast: the regions' centres jump more than walkers step
    centres = np.asarray([[(b[0] + b[2]) / 2 for b in boxes[0][during]]])
    assert np.abs(np.diff(centres)).mean() > 1.0


def test_simulated_detector_without_noise_reports_the_drawn_people():
    people = [[(10, 20, 15, 32)], [], [(0, 0, 48, 96), (90, 90, 96, 96)]]
    rows = simulate_detections(
        np.random.default_rng(0), people, SIZE, miss_rate=0.0, jitter=0.0
    )
    assert [r[0] for r in rows] == [0, 2, 2]
    np.testing.assert_allclose(
        rows[0][1:5], np.asarray([10, 20, 15, 32]) / SIZE
    )
    assert all(0.5 <= r[5] <= 1.0 for r in rows)
    missed = simulate_detections(
        np.random.default_rng(0), people * 200, SIZE, miss_rate=0.5
    )
    assert 0.4 < len(missed) / 600 < 0.6


def test_demo_dataset_ships_pseudo_boxes_of_its_training_videos(demo_dir):
    with open(osp.join(demo_dir, 'train.json')) as f:
        entries = json.load(f)
    boxes = load_pseudo_boxes(osp.join(demo_dir, 'pseudo_boxes.json'))
    stems = {osp.splitext(osp.basename(e['video']))[0] for e in entries}
    assert set(boxes) == stems
    assert all(len(frames) > 10 for frames in boxes.values())


def test_small_split_captions_and_flag(tmp_path, monkeypatch):
    from fgclip_mm.datasets import demo_data

    path = osp.join(
        osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
        'tools',
        'data',
        'make_demo_dataset.py',
    )
    spec = importlib.util.spec_from_file_location('make_demo', path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setattr(
        sys, 'argv', ['x', '--small-anomalies', '--size', '32']
    )
    args = tool.parse_args(demo_data)
    assert args.small_anomalies is True and args.size == 32
    monkeypatch.setattr(sys, 'argv', ['x'])
    assert tool.parse_args(demo_data).small_anomalies is False

    out = str(tmp_path / 'small')
    demo_data.make_demo_dataset(
        out,
        seed=0,
        cfg=demo_data.DemoConfig(
            num_train_normal=1,
            num_train_anomalous=2,
            num_test_normal=1,
            num_test_anomalous=1,
            min_frames=24,
            max_frames=24,
            small_anomalies=True,
        ),
    )
    with open(osp.join(out, 'train.json')) as f:
        entries = json.load(f)
    for entry in entries:
        cls = osp.basename(osp.dirname(entry['video']))
        assert entry['global_caption'] in DEMO_SMALL_CAPTIONS[cls]['global']
