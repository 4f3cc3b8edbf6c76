"""Test-time frames have training's geometry (issue 10): the whole frame,
resized as FG-CLIP resizes it, so a box at the frame's edge is seen and the
full-frame scoring box is training's virtual box."""

import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose

from fgclip_mm.datasets.video_writer import write_mp4

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASES = ['ucf_crime.py', 'video_level_labels.py', 'msad.py']
#: train transforms that only augment (random crop, flip) or pick frames
AUGMENT = (
    'SampleAnnotatedFrames',
    'RandomResizedCropWithBoxes',
    'FlipWithBoxes',
)


@pytest.fixture(scope='module')
def edge_video(tmp_path_factory):
    """320x240 grey frames with a red stripe in the 4 leftmost columns."""
    frames = np.full((6, 240, 320, 3), 110, np.uint8)
    frames[:, :, :4] = (230, 20, 20)
    path = str(tmp_path_factory.mktemp('geometry') / 'edge.mp4')
    write_mp4(path, frames, fps=10)
    return path


def sample(video):
    return dict(
        filename=video,
        video_id='edge',
        label=0,
        is_anomaly=False,
        class_name='Normal',
        total_frames=6,
        frame_inds=np.array([1, 4]),
        box_infos=[[]],
        region_captions=['people walk'],
        global_caption='people walk',
        timestamps=[0.0, 0.5],
        anomaly_intervals=np.zeros((0, 2)),
    )


@pytest.mark.parametrize('base', BASES)
def test_test_frames_cover_the_whole_image(base, edge_video):
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'datasets', base)
    )
    out = Compose(cfg.test_pipeline)(sample(edge_video))
    imgs = out['inputs'].float()  # (T, 3, H, W)
    assert imgs.shape[-2:] == (cfg.img_size, cfg.img_size)
    left = imgs[:, :, :, 0].mean(dim=(0, 2))  # RGB of the first column
    assert left[0] > 180 and left[1] < 80, left  # the red stripe is there
    assert (imgs[:, 0, :, -1].mean() - 110).abs() < 15


@pytest.mark.parametrize('base', BASES)
def test_train_and_test_inputs_of_a_frame_are_equal_without_augmentation(
    base, edge_video
):
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'datasets', base)
    )
    train = [t for t in cfg.train_pipeline if t['type'] not in AUGMENT]
    got = Compose(train)(sample(edge_video))
    expected = Compose(cfg.test_pipeline)(sample(edge_video))
    assert torch.equal(got['inputs'], expected['inputs'])
    # the virtual box of training is the full frame the scorer uses
    boxes = got['data_samples'].boxes
    torch.testing.assert_close(boxes[0, 0], torch.tensor([0.0, 0.0, 1.0, 1.0]))
