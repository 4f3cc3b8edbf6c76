import argparse
import importlib.util
import json
import os.path as osp

import cv2
import decord
import numpy as np

from fgclip_mm.annotations import parse_ucf_test_annotations
from fgclip_mm.datasets import TimestampSegmentDataset

from ._helpers import REAL_JSON, UCF_TEST_TXT

TOOLS = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'tools',
    'data',
)


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(TOOLS, name + '.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_convert_ucf_crime_writes_exclude_list_and_labels(tmp_path):
    tool = load_tool('convert_ucf_crime')
    summary = tool.convert(
        argparse.Namespace(
            video_root='',
            ann_json=REAL_JSON,
            test_ann=UCF_TEST_TXT,
            out_dir=str(tmp_path),
            label_field=True,
            count_frames=False,
        )
    )
    assert summary == dict(
        train_entries=1559,
        test_videos=290,
        test_videos_in_train_json=140,
        problems=[],
    )
    ds = TimestampSegmentDataset(
        str(tmp_path / 'fgclip_train.json'),
        pipeline=[],
        check_files=False,
        label_source='field',
        exclude_file=str(tmp_path / 'exclude_test_videos.txt'),
    )
    assert len(ds) == 1245
    assert ds.summary['label_counts']['Normal'] == 1054
    assert (
        len(parse_ucf_test_annotations(str(tmp_path / 'test_annotations.txt')))
        == 290
    )


def test_convert_xd_violence_video_level_labels(tmp_path):
    tool = load_tool('convert_xd_violence')
    root = tmp_path / 'xd'
    for sub, name in [
        ('train', 'A__#1_label_A.mp4'),
        ('train', 'B__#1_label_B2-G-0.mp4'),
        ('test', 'C__#1_label_G-0-0.mp4'),
        ('test', 'D__#1_label_A.mp4'),
    ]:
        (root / sub).mkdir(parents=True, exist_ok=True)
        (root / sub / name).write_bytes(b'')
    ann = tmp_path / 'annotations.txt'
    ann.write_text('C__#1_label_G-0-0 10 20 30 40 50 60\n')
    out = tmp_path / 'out'
    tool.convert(
        argparse.Namespace(
            video_root=str(root),
            train_dir='train',
            test_dir='test',
            test_ann=str(ann),
            out_dir=str(out),
            count_frames=False,
        )
    )
    train = TimestampSegmentDataset(
        str(out / 'train.json'),
        pipeline=[],
        check_files=False,
        metainfo=dict(classes=tool.XD_CLASSES),
        caption_template='A video of {class_text}.',
    )
    assert [train.get_data_info(i)['class_name'] for i in range(2)] == [
        'Normal',
        'Shooting',
    ]
    recs = parse_ucf_test_annotations(str(out / 'test_annotations.txt'))
    np.testing.assert_array_equal(
        recs[0]['anomaly_intervals'], [[10, 20], [30, 40], [50, 60]]
    )
    assert recs[1]['class_name'] == 'Normal'
    assert recs[1]['anomaly_intervals'].shape == (0, 2)


def test_convert_shanghaitech_encodes_frames_and_mask_intervals(tmp_path):
    tool = load_tool('convert_shanghaitech')
    root = tmp_path / 'sht'
    (root / 'training' / 'videos').mkdir(parents=True)
    (root / 'training' / 'videos' / '01_001.avi').write_bytes(b'')
    frames = root / 'testing' / 'frames' / '01_0014'
    frames.mkdir(parents=True)
    for i in range(6):
        cv2.imwrite(
            str(frames / f'{i:03d}.jpg'),
            np.full((31, 40, 3), 40 * i, np.uint8),
        )
    (root / 'testing' / 'test_frame_mask').mkdir()
    np.save(
        root / 'testing' / 'test_frame_mask' / '01_0014.npy',
        np.array([0, 1, 1, 0, 1, 0], np.uint8),
    )
    (tmp_path / 'train.txt').write_text('01_001,0\n')
    (tmp_path / 'test.txt').write_text('01_0014,1,-1\n')
    out = tmp_path / 'out'
    summary = tool.convert(
        argparse.Namespace(
            sht_root=str(root),
            train_list=str(tmp_path / 'train.txt'),
            test_list=str(tmp_path / 'test.txt'),
            out_dir=str(out),
            fps=24,
        )
    )
    assert summary['encoded'] == 1
    assert len(decord.VideoReader(str(out / 'videos' / '01_0014.mp4'))) == 6
    rec = parse_ucf_test_annotations(str(out / 'test_annotations.txt'))[0]
    assert rec['video_id'] == '01_0014' and rec['total_frames'] == 6
    np.testing.assert_array_equal(rec['anomaly_intervals'], [[1, 3], [4, 5]])
    entries = json.load(open(out / 'train.json'))
    assert entries[0]['label'] == 'Normal'
    assert entries[0]['video'].endswith('01_001.avi')


def _xd_tree(tmp_path, names):
    root = tmp_path / 'xd'
    for sub, name in names:
        (root / sub).mkdir(parents=True, exist_ok=True)
        (root / sub / name).write_bytes(b'')
    return root


def _xd_args(tmp_path, root, ann):
    return argparse.Namespace(
        video_root=str(root),
        train_dir='train',
        test_dir='test',
        test_ann=str(ann),
        out_dir=str(tmp_path / 'out'),
        count_frames=False,
    )


def test_convert_xd_violence_malformed_annotation_names_file_and_line(
    tmp_path,
):
    import pytest

    from fgclip_mm.annotations import AnnotationError

    tool = load_tool('convert_xd_violence')
    root = _xd_tree(tmp_path, [('test', 'C__#1_label_G-0-0.mp4')])
    ann = tmp_path / 'annotations.txt'
    ann.write_text('C__#1_label_G-0-0 10 20\nD__#1_label_B1-0-0 10 2x\n')
    with pytest.raises(AnnotationError, match=r'annotations.txt:2: .*2x'):
        tool.convert(_xd_args(tmp_path, root, ann))
    # a violent test video without intervals would be labelled all normal
    ann.write_text('E__#1_label_G-0-0 10 20\n')
    with pytest.raises(ValueError, match='C__#1_label_G-0-0'):
        tool.convert(_xd_args(tmp_path, root, ann))


def test_xd_violence_class_table_is_shared_and_matches_configs(tmp_path):
    from fgclip_mm.annotations import XD_VIOLENCE_LABEL_CODES
    from fgclip_mm.evaluation.functional import load_test_annotations

    tool = load_tool('convert_xd_violence')
    assert tool.XD_CODES is XD_VIOLENCE_LABEL_CODES
    assert tool.XD_CLASSES == (
        'Normal',
        'Fighting',
        'Shooting',
        'Riot',
        'Abuse',
        'CarAccident',
        'Explosion',
    )
    name = 'F__#1_label_B6-0-0'
    assert tool.class_of(name + '.mp4') == 'CarAccident'
    ann = tmp_path / 'annotations.txt'
    ann.write_text(f'{name} 1 5\n')
    assert (
        load_test_annotations('xd_violence', str(ann))[name]['class_name']
        == 'CarAccident'
    )


def test_convert_shanghaitech_bad_split_line_names_file_and_line(tmp_path):
    import pytest

    from fgclip_mm.annotations import AnnotationError

    tool = load_tool('convert_shanghaitech')
    (tmp_path / 'train.txt').write_text('01_001,0\n01_002,2\n')
    with pytest.raises(AnnotationError, match=r'train.txt:2: label'):
        tool.convert(
            argparse.Namespace(
                sht_root=str(tmp_path / 'sht'),
                train_list=str(tmp_path / 'train.txt'),
                test_list=str(tmp_path / 'train.txt'),
                out_dir=str(tmp_path / 'out'),
                fps=24,
            )
        )
