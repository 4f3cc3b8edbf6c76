import json

import numpy as np
import pytest

from fgclip_mm.annotations import AnnotationError
from fgclip_mm.datasets.annotation_records import RecordBuilder
from fgclip_mm.datasets.class_resolver import ClassResolver
from fgclip_mm.datasets.video_paths import VideoPathResolver

CLASSES = ('Normal', 'Abuse', 'Arson')


def builder(**kwargs):
    return RecordBuilder(
        ClassResolver(CLASSES), VideoPathResolver('/v', check_files=False),
        **kwargs)


def write_json(tmp_path, entries):
    path = tmp_path / 'a.json'
    path.write_text(json.dumps(entries))
    return str(path)


def test_json_records_without_a_dataset(tmp_path):
    path = write_json(tmp_path, [
        dict(video='Abuse/a1.mp4', global_caption='g', region_captions=['r'],
             box_infos=[[dict(frame=3, bbox=[0, 0, 1.005, 0.5])]],
             timestamps=None),
        dict(video='Normal_Videos/n1.mp4', global_caption='calm',
             box_infos=[[]], timestamps=[1, 2.5]),
    ])
    b = builder()
    anomaly, normal = b.from_json(path)
    assert anomaly['filename'] == '/v/Abuse/a1.mp4'
    assert (anomaly['label'], anomaly['is_anomaly']) == (1, True)
    assert anomaly['box_infos'] == [[dict(frame=3, bbox=[0, 0, 1.0, 0.5])]]
    assert normal['label'] == 0 and normal['timestamps'] == [1.0, 2.5]
    # a normal entry's virtual box is captioned with its global caption
    assert normal['region_captions'] == ['calm'] and normal['box_infos'] == [[]]
    assert b.stats['num_clamped_boxes'] == 1
    assert b.stats['num_anomaly_format'] == 1
    assert b.stats['num_normal_format'] == 1


def test_templates_fill_missing_captions(tmp_path):
    path = write_json(tmp_path, [dict(video='Arson/a.mp4'),
                                 dict(video='Normal/n.mp4')])
    b = builder(caption_template='A video of {class_text}.',
                region_caption_template='People in a {class_name} scene.')
    arson, normal = b.from_json(path)
    assert arson['global_caption'] == 'A video of arson.'
    assert arson['region_captions'] == []
    assert normal['region_captions'] == ['People in a Normal scene.']


def test_test_mode_json_needs_intervals_for_anomalies(tmp_path):
    path = write_json(tmp_path, [
        dict(video='Abuse/a.mp4', anomaly_intervals=[[5, 9]], total_frames=20),
        dict(video='Normal/n.mp4'),
    ])
    a, n = builder().from_json(path, test_mode=True)
    np.testing.assert_array_equal(a['anomaly_intervals'], [[5, 9]])
    assert a['total_frames'] == 20 and n['anomaly_intervals'].shape == (0, 2)
    path = write_json(tmp_path, [dict(video='Abuse/a.mp4')])
    with pytest.raises(AnnotationError, match=r"a.json: entry 0 \(Abuse/a.mp4"
                       r"\): class 'Abuse' is anomalous but field "
                       "'anomaly_intervals' gives no anomaly interval"):
        builder().from_json(path, test_mode=True)


def test_text_records_and_the_normal_rule(tmp_path):
    path = tmp_path / 't.txt'
    path.write_text('a.mp4 Abuse 1 5 -1 -1\nn.mp4 Normal_Videos -1 -1 -1 -1\n')
    a, n = builder().from_text(str(path))
    assert (a['label'], n['label']) == (1, 0)
    assert a['ann_index'] == 1 and n['ann_index'] == 2
    # regression: 'Abnormal' is not a normal class name
    path.write_text('b.mp4 Abnormal -1 -1 -1 -1\n')
    with pytest.raises(AnnotationError, match=r"t.txt: line 1 \(b.mp4\): "
                       "class 'Abnormal' is not one of"):
        builder().from_text(str(path))
