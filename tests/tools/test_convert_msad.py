"""tools/data/convert_msad.py and MSAD as a benchmark
(``load_test_annotations('msad', ...)``, ``build_gt.py msad``)."""

import importlib.util
import json
import os
import os.path as osp

import numpy as np
import pytest

from fgclip_mm.annotations import parse_ucf_test_annotations
from fgclip_mm.evaluation.functional import (
    BENCHMARKS,
    is_normal_video,
    load_test_annotations,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CSV = (
    'name,scenario,total frames,starting frame of anomaly,'
    'ending frame of anomaly\n'
    'Fire_2,forest,64,16,40\n'
    'Traffic_accident_4,highway,48,0,48\n'
    'Fire_9,forest,80,5,10\n'
)  # a training video: not in the test list
TEST_LIST = (
    '/s/MSAD-I3D-abnormal-testing/Fire_2_i3d.npy\n'
    '/s/MSAD-I3D-abnormal-testing/Traffic_accident_4_i3d.npy\n'
    '/s/MSAD-I3D-normal-testing/MSAD_normal_testing_1_i3d.npy\n'
)


def _load(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO, 'tools', 'data', f'{name}.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def msad(tmp_path):
    (tmp_path / 'anomaly_annotation.csv').write_text(CSV)
    (tmp_path / 'test.list').write_text(TEST_LIST)
    (tmp_path / 'train.list').write_text('Fire_9\nMSAD_normal_training_3\n')
    (tmp_path / 'counts.txt').write_text('MSAD_normal_testing_1 32\n')
    for rel in (
        'MSAD_anomaly_blur/Fire/Fire_2.mp4',
        'MSAD_normal_testing_blur/MSAD_normal_testing_1.mp4',
    ):
        os.makedirs(osp.dirname(tmp_path / 'videos' / rel), exist_ok=True)
        (tmp_path / 'videos' / rel).write_bytes(b'')
    return tmp_path


def test_convert_writes_the_test_split_in_ucf_format(msad):
    tool = _load('convert_msad')
    out = tool.convert(
        tool.parse_args(
            [
                '--annotation',
                str(msad / 'anomaly_annotation.csv'),
                '--test-list',
                str(msad / 'test.list'),
                '--train-list',
                str(msad / 'train.list'),
                '--video-root',
                str(msad / 'videos'),
                '--frame-counts',
                str(msad / 'counts.txt'),
                '--out-dir',
                str(msad / 'out'),
            ]
        )
    )
    assert (
        out['test_videos'],
        out['test_anomalous'],
        out['videos_found'],
    ) == (3, 2, 2)
    recs = parse_ucf_test_annotations(str(msad / 'out/test_annotations.txt'))
    assert [
        (
            r['name'],
            r['class_name'],
            r['anomaly_intervals'].tolist(),
            r['total_frames'],
        )
        for r in recs
    ] == [
        ('MSAD_anomaly_blur/Fire/Fire_2.mp4', 'Fire', [[16, 40]], 64),
        ('Traffic_accident_4.mp4', 'Traffic_accident', [[0, 48]], 48),
        (
            'MSAD_normal_testing_blur/MSAD_normal_testing_1.mp4',
            'Normal',
            [],
            32,
        ),
    ]
    assert (msad / 'out/test_order.txt').read_text().split() == [
        'Fire_2',
        'Traffic_accident_4',
        'MSAD_normal_testing_1',
    ]
    assert json.loads((msad / 'out/train.json').read_text()) == [
        dict(video='Fire_9.mp4', label='Fire', timestamps=None),
        dict(
            video='MSAD_normal_training_3.mp4', label='Normal', timestamps=None
        ),
    ]


def test_an_anomalous_test_video_without_an_event_is_refused(msad):
    tool = _load('convert_msad')
    (msad / 'test.list').write_text(TEST_LIST + 'Robbery_5_i3d.npy\n')
    with pytest.raises(
        ValueError, match="anomalous test video 'Robbery_5' has no event"
    ):
        tool.convert(
            tool.parse_args(
                [
                    '--annotation',
                    str(msad / 'anomaly_annotation.csv'),
                    '--test-list',
                    str(msad / 'test.list'),
                    '--out-dir',
                    str(msad / 'out'),
                ]
            )
        )


def test_msad_benchmark_from_the_csv_or_the_converted_file(msad):
    assert 'msad' in BENCHMARKS
    csv_entries = load_test_annotations(
        'msad', str(msad / 'anomaly_annotation.csv')
    )
    np.testing.assert_array_equal(
        csv_entries['Fire_2']['intervals'], [[16, 40]]
    )
    assert csv_entries['Fire_2']['num_frames'] == 64
    assert is_normal_video('msad', 'MSAD_normal_testing_1', None)
    assert not is_normal_video('msad', 'Robbery_5', None)
    assert not is_normal_video('msad', 'Fire_2', csv_entries['Fire_2'])
    # build_gt.py msad over the converted file: every frame labelled
    tool = _load('convert_msad')
    tool.convert(
        tool.parse_args(
            [
                '--annotation',
                str(msad / 'anomaly_annotation.csv'),
                '--test-list',
                str(msad / 'test.list'),
                '--frame-counts',
                str(msad / 'counts.txt'),
                '--out-dir',
                str(msad / 'out'),
            ]
        )
    )
    build_gt = _load('build_gt')
    assert (
        build_gt.main(
            [
                'msad',
                '--annotations',
                str(msad / 'out/test_annotations.txt'),
                '--out',
                str(msad / 'gt.npy'),
            ]
        )
        == 0
    )
    gt = np.load(msad / 'gt.npy')
    expected = np.zeros(64 + 48 + 32)
    expected[16:40] = 1
    expected[64 : 64 + 48] = 1
    np.testing.assert_array_equal(gt, expected)
