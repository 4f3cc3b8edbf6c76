"""tools/data/convert_detections.py: COCO results and MOT files to the
pseudo-box file, checked against boxes computed by hand."""

import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from fgclip_mm.datasets.pseudo_boxes import load_pseudo_boxes

TOOL = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'tools',
    'data',
    'convert_detections.py',
)


def load_tool():
    spec = importlib.util.spec_from_file_location('convert_dets', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coco_results_of_extracted_frames(tmp_path):
    images = [
        dict(
            id=1, file_name='frames/Normal_7/000001.jpg', width=320, height=240
        ),
        dict(
            id=2, file_name='frames/Normal_7/000003.jpg', width=320, height=240
        ),
        dict(
            id=3,
            file_name='x.jpg',
            video='Other.mp4',
            frame_id=5,
            width=100,
            height=100,
        ),
    ]
    results = [
        dict(image_id=1, category_id=1, bbox=[32, 24, 64, 48], score=0.9),
        dict(image_id=1, category_id=3, bbox=[0, 0, 10, 10], score=0.9),
        dict(image_id=2, category_id=1, bbox=[300, 200, 40, 80], score=0.8),
        dict(image_id=2, category_id=1, bbox=[0, 0, 5, 5], score=0.1),
        dict(image_id=3, category_id=1, bbox=[10, 20, 30, 40], score=0.7),
    ]
    (tmp_path / 'res.json').write_text(json.dumps(results))
    (tmp_path / 'img.json').write_text(json.dumps(dict(images=images)))
    out = str(tmp_path / 'pseudo.json')
    load_tool().main(
        [
            'coco',
            '--results',
            str(tmp_path / 'res.json'),
            '--images',
            str(tmp_path / 'img.json'),
            '--min-score',
            '0.5',
            '--out',
            out,
        ]
    )
    boxes = load_pseudo_boxes(out)
    assert set(boxes) == {'Normal_7', 'Other'}
    normal = boxes['Normal_7']
    # 1-based frame numbers become 0-based; the car (category 3) is dropped
    assert [k['frame'] for k in normal] == [0, 2]
    np.testing.assert_allclose(normal[0]['bbox'], [0.1, 0.1, 0.3, 0.3])
    # clipped at the frame's right and bottom edges
    np.testing.assert_allclose(
        normal[1]['bbox'], [300 / 320, 200 / 240, 1.0, 1.0], atol=1e-6
    )
    assert boxes['Other'][0]['frame'] == 4
    np.testing.assert_allclose(boxes['Other'][0]['bbox'], [0.1, 0.2, 0.4, 0.6])


def test_mot_files_with_a_size_table(tmp_path):
    mot = tmp_path / 'mot'
    mot.mkdir()
    (mot / 'Normal_9.txt').write_text(
        '1,-1,16,12,32,24,0.9,-1,-1,-1\n2,-1,0,0,16,12,0.3,-1,-1,-1\n'
    )
    (tmp_path / 'sizes.csv').write_text(
        'video,width,height\nNormal_9.mp4,160,120\n'
    )
    out = str(tmp_path / 'pseudo.json')
    load_tool().main(
        [
            'mot',
            '--mot-dir',
            str(mot),
            '--sizes',
            str(tmp_path / 'sizes.csv'),
            '--out',
            out,
        ]
    )
    frames = load_pseudo_boxes(out)['Normal_9']
    assert [k['frame'] for k in frames] == [0, 1]
    np.testing.assert_allclose(frames[0]['bbox'], [0.1, 0.1, 0.3, 0.3])
    assert load_pseudo_boxes(out, score_thr=0.5)['Normal_9'][-1]['frame'] == 0


def test_mot_without_a_frame_size_names_the_video(tmp_path):
    mot = tmp_path / 'mot'
    mot.mkdir()
    (mot / 'V.txt').write_text('1,-1,16,12,32,24,0.9\n')
    with pytest.raises(ValueError, match="no frame size for 'V'"):
        load_tool().main(
            ['mot', '--mot-dir', str(mot), '--out', str(tmp_path / 'o.json')]
        )


def test_coco_file_name_without_video_folder_is_refused():
    tool = load_tool()
    with pytest.raises(ValueError, match='cannot read the video and frame'):
        tool.image_video_frame(dict(id=4, file_name='img.jpg'), 1)
