"""The pseudo-box file: written, read back, reduced to one box per frame."""

import json

import numpy as np
import pytest

from fgclip_mm.annotations import AnnotationError
from fgclip_mm.datasets.pseudo_boxes import (
    load_pseudo_boxes,
    reduce_detections,
    save_pseudo_boxes,
)

ROWS = {
    'Normal_001': [
        [0, 0.1, 0.2, 0.3, 0.6, 0.9],
        [0, 0.5, 0.1, 0.7, 0.4, 0.4],
        [4, 0.2, 0.2, 0.4, 0.5, 0.2],
    ],
    'Normal_002': [],
}


def test_union_per_frame_and_threshold(tmp_path):
    path = save_pseudo_boxes(str(tmp_path / 'p.json'), ROWS, source='test')
    boxes = load_pseudo_boxes(path)
    assert boxes['Normal_002'] == []
    frames = boxes['Normal_001']
    assert [k['frame'] for k in frames] == [0, 4]
    np.testing.assert_allclose(frames[0]['bbox'], [0.1, 0.1, 0.7, 0.6])
    np.testing.assert_allclose(frames[1]['bbox'], [0.2, 0.2, 0.4, 0.5])
    kept = load_pseudo_boxes(path, score_thr=0.3)['Normal_001']
    assert [k['frame'] for k in kept] == [0]


def test_top_keeps_the_most_confident_box():
    frames = reduce_detections(np.asarray(ROWS['Normal_001']), reduce='top')
    np.testing.assert_allclose(frames[0]['bbox'], [0.1, 0.2, 0.3, 0.6])
    with pytest.raises(ValueError, match='reduce must be one of'):
        reduce_detections(np.asarray(ROWS['Normal_001']), reduce='max')


def test_only_the_requested_videos_are_kept(tmp_path):
    path = save_pseudo_boxes(str(tmp_path / 'p.json'), ROWS)
    assert set(load_pseudo_boxes(path, video_ids=['Normal_002'])) == {
        'Normal_002'
    }


@pytest.mark.parametrize(
    'data, match',
    [
        ([1, 2], 'not a pseudo-box file'),
        (dict(format='fgclip_mm.pseudo_boxes', version=2), 'unsupported'),
        (
            dict(
                format='fgclip_mm.pseudo_boxes',
                version=1,
                videos={'v': [[0, 10, 20, 30, 40, 0.9]]},
            ),
            "video 'v' has a row",
        ),
        (
            dict(
                format='fgclip_mm.pseudo_boxes',
                version=1,
                videos={'v': [[0, 0.5, 0.2, 0.4, 0.3, 0.9]]},
            ),
            'x1 < x2',
        ),
    ],
)
def test_malformed_files_are_refused(tmp_path, data, match):
    path = tmp_path / 'p.json'
    path.write_text(json.dumps(data))
    with pytest.raises(AnnotationError, match=match):
        load_pseudo_boxes(str(path))
