"""tools/data/build_gt.py shanghaitech --protocol snippet16_pad: the
ShanghaiTech label array of RTFM / MIST / TEVAD (``gt-sh.npy``)."""

import importlib.util
import os.path as osp

import numpy as np
import pytest

from fgclip_mm.evaluation.functional.ground_truth import pad_labels_to_length

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHT = osp.join(REPO, 'tests', 'data', 'shanghaitech')


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        'build_gt_sht', osp.join(REPO, 'tools', 'data', 'build_gt.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_gt = _load_tool()


def _run(tmp_path, *args):
    out = str(tmp_path / 'gt.npy')
    assert (
        build_gt.main(
            [
                'shanghaitech',
                '--annotations',
                osp.join(SHT, 'SH_Test_NEW.txt'),
                '--protocol',
                'snippet16_pad',
                *args,
                '--out',
                out,
            ]
        )
        == 0
    )
    return np.load(out)


def test_pad_labels_to_length():
    labels = np.array([0, 1, 1], np.uint8)
    assert pad_labels_to_length(labels, 5).tolist() == [0, 1, 1, 1, 1]
    assert pad_labels_to_length(labels, 2).tolist() == [0, 1]
    assert pad_labels_to_length(np.array([1, 0]), 4).tolist() == [1, 0, 0, 0]
    assert pad_labels_to_length(np.zeros(0, np.uint8), 3).tolist() == [0] * 3


def test_positives_match_rtfm_gt_sh(tmp_path):
    gt = _run(tmp_path)
    # RTFM's list/gt-sh.npy has 8,028 positive frames (and 142,912 frames:
    # its normal videos' lengths come from its I3D files, see --lengths)
    assert int(gt.sum()) == 8028
    assert gt.size == 143680  # sum of ceil(frames / 16) * 16


def test_each_video_is_its_mask_padded_with_the_last_value(tmp_path):
    rows = [
        ln.strip().split(',') for ln in open(osp.join(SHT, 'SH_Test_NEW.txt'))
    ]
    order = [r[0] for r in rows]
    gt = _run(tmp_path)
    start = 0
    checked_padding = 0
    for video, label, frames in rows:
        if label == '1':
            mask = np.load(osp.join(SHT, 'test_frame_mask', video + '.npy'))
            num = len(mask)
        else:
            mask, num = None, int(frames)
        length = -(-num // 16) * 16
        part = gt[start : start + length]
        if mask is None:
            assert not part.any(), video
        else:
            np.testing.assert_array_equal(part[:num], mask)
            assert (part[num:] == mask[-1]).all(), video
            checked_padding += int(mask[-1] == 1 and length > num)
        start += length
    assert start == gt.size and len(order) == 199
    assert checked_padding >= 1  # some events run to the last frame


def test_lengths_from_features(tmp_path):
    mask = np.load(osp.join(SHT, 'test_frame_mask', '01_0015.npy'))
    lengths = tmp_path / 'lengths.csv'
    lengths.write_text('video,label_frames\n01_0015,64\n01_001,32\n')
    with pytest.warns(UserWarning, match='197 annotated video'):
        gt = _run(tmp_path, '--lengths', str(lengths))
    assert gt.size == 96
    np.testing.assert_array_equal(gt[:64], mask[:64])
    assert not gt[64:].any()
    assert len(mask) > 64


def test_anomalous_video_without_frame_count_is_refused():
    with pytest.raises(ValueError, match="anomalous video 'v' has no frame"):
        build_gt.padded_ground_truth(
            dict(v=dict(intervals=np.array([[0, 3]]), num_frames=None)),
            dict(v=16),
            ['v'],
            True,
            'half_open',
        )
