import os.path as osp

import numpy as np
import pytest

from fgclip_mm.annotations import (
    AnnotationError,
    load_shanghaitech_masks,
    parse_shanghaitech_split,
)

from .._paths import write_text


def test_shanghaitech_weak_split_199_test_44_anomalous(data_root):
    test = parse_shanghaitech_split(
        osp.join(data_root, 'shanghaitech', 'SH_Test_NEW.txt')
    )
    assert len(test) == 199
    assert sum(e['is_anomaly'] for e in test) == 44
    assert test[0] == dict(video='01_001', is_anomaly=False, num_frames=764)
    assert test[1] == dict(video='01_0015', is_anomaly=True, num_frames=None)
    train = parse_shanghaitech_split(
        osp.join(data_root, 'shanghaitech', 'SH_Train_new.txt')
    )
    assert (len(train), sum(e['is_anomaly'] for e in train)) == (238, 63)


def test_shanghaitech_reads_107_frame_masks(data_root):
    masks = load_shanghaitech_masks(
        osp.join(data_root, 'shanghaitech', 'test_frame_mask')
    )
    assert len(masks) == 107
    assert all(m.dtype == np.uint8 and m.ndim == 1 for m in masks.values())
    assert masks['01_0014'].shape == (265,)
    assert int(masks['01_0014'].sum()) == 76


def test_shanghaitech_missing_mask_is_an_error(data_root):
    with pytest.raises(FileNotFoundError, match='99_9999'):
        load_shanghaitech_masks(
            osp.join(data_root, 'shanghaitech', 'test_frame_mask'),
            ['01_0014', '99_9999'],
        )


def test_shanghaitech_bad_label_names_line(tmp_path):
    path = write_text(tmp_path, 'split.txt', '01_001,0,764\n01_002,2,10\n')
    with pytest.raises(AnnotationError, match=r'split.txt:2: label'):
        parse_shanghaitech_split(path)
