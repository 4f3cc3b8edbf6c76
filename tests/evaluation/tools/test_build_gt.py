"""tools/data/build_gt.py reproduces the community's label arrays."""

import hashlib
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from fgclip_mm.evaluation.functional import labels_to_intervals

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        'build_gt', osp.join(REPO, 'tools', 'data', 'build_gt.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_gt = _load_tool()


def _run(tmp_path, *args):
    out = str(tmp_path / 'gt.npy')
    assert build_gt.main([*args, '--out', out]) == 0
    return np.load(out)


def test_ucf_snippet16_reproduces_shared_label_array(tmp_path, data_root):
    ucf = osp.join(data_root, 'ucf_crime')
    gt = _run(
        tmp_path,
        'ucf_crime',
        '--annotations',
        osp.join(ucf, 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt'),
        '--lengths',
        osp.join(ucf, 'test_snippet16_lengths.csv'),
        '--order',
        osp.join(ucf, 'test_order.txt'),
    )
    with open(osp.join(ucf, 'gt_snippet16_i3d_runs.json')) as f:
        ref = json.load(f)
    assert gt.dtype == np.float32
    assert gt.size == ref['num_frames'] == 1_109_680
    assert int(gt.sum()) == ref['num_positives'] == 84_128
    assert labels_to_intervals(gt).tolist() == ref['positive_runs']
    assert hashlib.sha256(gt.tobytes()).hexdigest() == ref['sha256_float32']


def test_ucf_snippet16_protocol_leaves_snippet_lengths_unchanged(
    tmp_path, data_root
):
    ucf = osp.join(data_root, 'ucf_crime')
    gt = _run(
        tmp_path,
        'ucf_crime',
        '--annotations',
        osp.join(ucf, 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt'),
        '--lengths',
        osp.join(ucf, 'test_snippet16_lengths.csv'),
        '--order',
        osp.join(ucf, 'test_order.txt'),
        '--protocol',
        'snippet16',
    )
    assert (gt.size, int(gt.sum())) == (1_109_680, 84_128)


def test_ucf_frame_protocol_with_frame_counts(tmp_path, data_root, capsys):
    ucf = osp.join(data_root, 'ucf_crime')
    gt = _run(
        tmp_path,
        'ucf_crime',
        '--annotations',
        osp.join(ucf, 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt'),
        '--lengths',
        osp.join(ucf, 'test_annotations_with_frame_counts.txt'),
        '--order',
        osp.join(ucf, 'test_order.txt'),
        '--protocol',
        'frame',
    )
    assert gt.size == 1_111_808
    assert '1111808 frames' in capsys.readouterr().out
    # the frame counts inside the annotation file are used without --lengths
    gt2 = _run(
        tmp_path,
        'ucf_crime',
        '--annotations',
        osp.join(ucf, 'test_annotations_with_frame_counts.txt'),
        '--order',
        osp.join(ucf, 'test_order.txt'),
    )
    np.testing.assert_array_equal(gt, gt2)


def test_xd_violence_counts(tmp_path, data_root, capsys):
    xd = osp.join(data_root, 'xd_violence')
    gt = _run(
        tmp_path,
        'xd_violence',
        '--annotations',
        osp.join(xd, 'annotations.txt'),
        '--lengths',
        osp.join(xd, 'test_snippet16_lengths.csv'),
        '--order',
        osp.join(xd, 'test_list.txt'),
    )
    assert (gt.size, int(gt.sum())) == (2_330_384, 537_805)
    assert '800 videos (500 anomalous, 300 normal)' in capsys.readouterr().out


def test_shanghaitech_weak_split(tmp_path, data_root, capsys):
    gt = _run(
        tmp_path,
        'shanghaitech',
        '--annotations',
        osp.join(data_root, 'shanghaitech', 'SH_Test_NEW.txt'),
    )
    assert (gt.size, int(gt.sum())) == (141_870, 7_962)
    assert '199 videos (44 anomalous, 155 normal)' in capsys.readouterr().out


def test_missing_lengths_is_a_clear_error(tmp_path, data_root, capsys):
    rc = build_gt.main(
        [
            'xd_violence',
            '--annotations',
            osp.join(data_root, 'xd_violence', 'annotations.txt'),
            '--out',
            str(tmp_path / 'gt.npy'),
        ]
    )
    assert rc == 1
    assert 'no length' in capsys.readouterr().err


def test_malformed_annotation_reports_file_and_line(tmp_path, capsys):
    ann = tmp_path / 'ann.txt'
    ann.write_text('A.mp4 Abuse 1 2 -1 -1 10\nB.mp4 Abuse 1 x -1 -1 10\n')
    rc = build_gt.main(
        [
            'ucf_crime',
            '--annotations',
            str(ann),
            '--out',
            str(tmp_path / 'gt.npy'),
        ]
    )
    assert rc == 1
    assert f'{ann}:2' in capsys.readouterr().err
    assert not (tmp_path / 'gt.npy').exists()


def test_videos_absent_from_annotations_are_normal(tmp_path):
    ann = tmp_path / 'ann.txt'
    ann.write_text('A.mp4 Abuse 1 3 -1 -1\n')
    lengths = tmp_path / 'len.csv'
    lengths.write_text('video,label_frames\nN,2\nA,4\n')
    gt = _run(
        tmp_path,
        'ucf_crime',
        '--annotations',
        str(ann),
        '--lengths',
        str(lengths),
    )
    np.testing.assert_array_equal(gt, [0, 0, 0, 1, 1, 0])


def test_annotated_video_missing_from_order_warns(tmp_path):
    ann = tmp_path / 'ann.txt'
    ann.write_text('A.mp4 Abuse 1 3 -1 -1 4\nB.mp4 Abuse 1 3 -1 -1 4\n')
    order = tmp_path / 'order.txt'
    order.write_text('A\n')
    with pytest.warns(UserWarning, match='not in the order list'):
        gt = _run(
            tmp_path,
            'ucf_crime',
            '--annotations',
            str(ann),
            '--order',
            str(order),
        )
    assert gt.size == 4
