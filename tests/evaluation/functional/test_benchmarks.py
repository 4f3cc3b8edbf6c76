import os.path as osp

import numpy as np
import pytest

from fgclip_mm.annotations import xd_violence_labels
from fgclip_mm.evaluation.functional import (
    intervals_to_labels,
    is_normal_video,
    load_test_annotations,
)


def test_ucf_entries_carry_class_intervals_and_counts(data_root):
    entries = load_test_annotations(
        'ucf_crime',
        osp.join(
            data_root, 'ucf_crime', 'test_annotations_with_frame_counts.txt'
        ),
    )
    assert len(entries) == 290
    e = entries['Arson011_x264']
    assert e['class_name'] == 'Arson'
    assert e['num_frames'] == 1266
    assert e['intervals'].dtype == np.int64
    np.testing.assert_array_equal(e['intervals'], [[150, 420], [680, 1267]])
    assert entries['Normal_Videos_003_x264']['intervals'].shape == (0, 2)


def test_xd_entries_take_class_of_first_label_code(data_root):
    entries = load_test_annotations(
        'xd_violence', osp.join(data_root, 'xd_violence', 'annotations.txt')
    )
    assert len(entries) == 500
    name = 'Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6'
    assert entries[name]['class_name'] == 'Explosion'
    assert xd_violence_labels(name) == ['G', 'B2', 'B6']
    assert xd_violence_labels('x_label_B1-0-0.mp4') == ['B1']
    assert xd_violence_labels('x_label_A') == ['A']


def test_shanghaitech_entries_from_split_and_masks(data_root):
    entries = load_test_annotations(
        'shanghaitech', osp.join(data_root, 'shanghaitech', 'SH_Test_NEW.txt')
    )
    assert len(entries) == 199
    anomalous = [v for v, e in entries.items() if len(e['intervals'])]
    assert len(anomalous) == 44
    mask = np.load(
        osp.join(data_root, 'shanghaitech', 'test_frame_mask', '01_0015.npy')
    )
    e = entries['01_0015']
    assert e['num_frames'] == len(mask)
    np.testing.assert_array_equal(
        intervals_to_labels(e['intervals'], e['num_frames']), mask
    )
    assert sum(e['num_frames'] for e in entries.values()) == 141_870


def test_is_normal_video_by_benchmark_convention():
    assert is_normal_video('xd_violence', 'x_label_A', None)
    assert not is_normal_video('xd_violence', 'x_label_B1-0-0', None)
    assert is_normal_video('ucf_crime', 'Normal_Videos_1', None)
    assert not is_normal_video(
        'ucf_crime', 'A', dict(intervals=np.array([[1, 2]]))
    )


def test_unknown_benchmark_raises(tmp_path):
    with pytest.raises(ValueError, match='benchmark'):
        load_test_annotations('avenue', str(tmp_path / 'x.txt'))
