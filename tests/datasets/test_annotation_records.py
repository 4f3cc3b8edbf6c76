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
        ClassResolver(CLASSES),
        VideoPathResolver('/v', check_files=False),
        **kwargs,
    )


def write_json(tmp_path, entries):
    path = tmp_path / 'a.json'
    path.write_text(json.dumps(entries))
    return str(path)


def test_json_records_without_a_dataset(tmp_path):
    path = write_json(
        tmp_path,
        [
            dict(
                video='Abuse/a1.mp4',
                global_caption='g',
                region_captions=['r'],
                box_infos=[[dict(frame=3, bbox=[0, 0, 1.005, 0.5])]],
                timestamps=None,
            ),
            dict(
                video='Normal_Videos/n1.mp4',
                global_caption='calm',
                box_infos=[[]],
                timestamps=[1, 2.5],
            ),
        ],
    )
    b = builder()
    anomaly, normal = b.from_json(path)
    assert anomaly['filename'] == '/v/Abuse/a1.mp4'
    assert (anomaly['label'], anomaly['is_anomaly']) == (1, True)
    assert anomaly['box_infos'] == [[dict(frame=3, bbox=[0, 0, 1.0, 0.5])]]
    assert normal['label'] == 0 and normal['timestamps'] == [1.0, 2.5]
    # a normal entry's virtual box is captioned with its global caption
    assert normal['region_captions'] == ['calm'] and normal['box_infos'] == [
        []
    ]
    assert b.stats['num_clamped_boxes'] == 1
    assert b.stats['num_anomaly_format'] == 1
    assert b.stats['num_normal_format'] == 1


def test_templates_fill_missing_captions(tmp_path):
    path = write_json(
        tmp_path, [dict(video='Arson/a.mp4'), dict(video='Normal/n.mp4')]
    )
    b = builder(
        caption_template='A video of {class_text}.',
        region_caption_template='People in a {class_name} scene.',
    )
    arson, normal = b.from_json(path)
    assert arson['global_caption'] == 'A video of arson.'
    assert arson['region_captions'] == []
    assert normal['region_captions'] == ['People in a Normal scene.']


def test_test_mode_json_needs_intervals_for_anomalies(tmp_path):
    path = write_json(
        tmp_path,
        [
            dict(
                video='Abuse/a.mp4',
                anomaly_intervals=[[5, 9]],
                total_frames=20,
            ),
            dict(video='Normal/n.mp4'),
        ],
    )
    a, n = builder().from_json(path, test_mode=True)
    np.testing.assert_array_equal(a['anomaly_intervals'], [[5, 9]])
    assert a['total_frames'] == 20 and n['anomaly_intervals'].shape == (0, 2)
    path = write_json(tmp_path, [dict(video='Abuse/a.mp4')])
    with pytest.raises(
        AnnotationError,
        match=r'a.json: entry 0 \(Abuse/a.mp4'
        r"\): class 'Abuse' is anomalous but field "
        "'anomaly_intervals' gives no anomaly interval",
    ):
        builder().from_json(path, test_mode=True)


def test_text_records_and_the_normal_rule(tmp_path):
    path = tmp_path / 't.txt'
    path.write_text('a.mp4 Abuse 1 5 -1 -1\nn.mp4 Normal_Videos -1 -1 -1 -1\n')
    a, n = builder().from_text(str(path))
    assert (a['label'], n['label']) == (1, 0)
    assert a['ann_index'] == 1 and n['ann_index'] == 2
    # regression: 'Abnormal' is not a normal class name
    path.write_text('b.mp4 Abnormal -1 -1 -1 -1\n')
    with pytest.raises(
        AnnotationError,
        match=r't.txt: line 1 \(b.mp4\): '
        "class 'Abnormal' is not one of",
    ):
        builder().from_text(str(path))


# ------------------------------------------- invalid entries (issue 11)
def merged_builder(root='/v', policy='error', check_files=False):
    from fgclip_mm.annotations import UCF_MSAD_CLASSES

    from ._merged_files import CLASS_SOURCES, PATH_MAP

    return RecordBuilder(
        ClassResolver(UCF_MSAD_CLASSES, sources=CLASS_SOURCES),
        VideoPathResolver(root, check_files=check_files, path_map=PATH_MAP),
        invalid_entries=policy,
    )


def without_index(records):
    return [{k: v for k, v in r.items() if k != 'ann_index'} for r in records]


@pytest.mark.parametrize('policy', ['skip', 'repair'])
def test_skip_keeps_exactly_the_records_of_the_clean_file(tmp_path, policy):
    from ._merged_files import (
        clean_entries,
        mixed_entries,
        touch_videos,
        write_json,
    )

    entries, clean_idx, bad = mixed_entries()
    touch_videos(str(tmp_path / 'v'), clean_entries())
    clean = merged_builder(str(tmp_path / 'v'), check_files=True).from_json(
        write_json(str(tmp_path / 'clean.json'), clean_entries())
    )
    b = merged_builder(str(tmp_path / 'v'), policy, check_files=True)
    touch_videos(
        str(tmp_path / 'v'),
        [e for (i, _, a) in bad if a == 'repaired' for e in [entries[i]]],
    )
    records = b.from_json(write_json(str(tmp_path / 'mixed.json'), entries))
    kept = [r for r in records if r['ann_index'] in clean_idx]
    assert without_index(kept) == without_index(clean)
    assert [r['ann_index'] for r in kept] == clean_idx
    expected = [
        (i, r, a if policy == 'repair' else 'skipped') for i, r, a in bad
    ]
    assert [
        (x['index'], x['reason'], x['action']) for x in b.issues
    ] == expected
    repaired = sum(a == 'repaired' for _, _, a in expected)
    assert len(records) == len(clean_idx) + repaired
    assert b.stats['num_invalid_skipped'] == len(bad) - repaired
    assert b.stats['num_repaired'] == repaired
    assert b.stats['invalid_by_reason']['count_mismatch'] == 3 - repaired


def test_repair_keeps_the_common_prefix_of_tracks_and_captions(tmp_path):
    from ._merged_files import defective_entries, write_json

    extra_box, extra_caption = [e for e, _, _ in defective_entries()[:2]]
    path = write_json(str(tmp_path / 'a.json'), [extra_box, extra_caption])
    fighting, robbery = merged_builder(policy='repair').from_json(path)
    assert fighting['box_infos'] == extra_box['box_infos'][:2]
    assert fighting['region_captions'] == extra_box['region_captions']
    assert robbery['region_captions'] == extra_caption['region_captions'][:1]
    assert (fighting['class_name'], robbery['class_name']) == (
        'Fighting',
        'Robbery',
    )


def test_error_policy_names_the_entry_and_carries_the_reason(tmp_path):
    from ._merged_files import mixed_entries, write_json

    path = write_json(str(tmp_path / 'a.json'), mixed_entries()[0])
    with pytest.raises(
        AnnotationError,
        match=r'entry 0 \(UCF_Crimes_Videos/.*Fighting011'
        r"_x264.mp4\): 3 regions in 'box_infos' but 2",
    ) as e:
        merged_builder().from_json(path)
    assert e.value.code == 'count_mismatch'


def test_configuration_errors_are_never_skipped(tmp_path):
    from ._merged_files import ucf_entry, write_json

    entry = ucf_entry('Abuse', 1)
    entry['video'] = 'elsewhere/Abuse/Abuse001_x264.mp4'
    path = write_json(str(tmp_path / 'a.json'), [entry])
    with pytest.raises(
        AnnotationError,
        match=r"entry 0 .*'elsewhere/Abuse/'"
        ', which no prefix of path_map matches',
    ) as e:
        merged_builder(policy='skip').from_json(path)
    assert e.value.code == 'unmapped_prefix'
    with pytest.raises(
        ValueError, match="invalid_entries='skip' is refused in test mode"
    ):
        merged_builder(policy='skip').from_json(path, test_mode=True)
    with pytest.raises(ValueError, match='invalid_entries must be one of'):
        merged_builder(policy='drop')


def test_kept_entries_are_counted_by_source_and_class(tmp_path):
    from ._merged_files import clean_entries, write_json

    b = merged_builder()
    b.from_json(write_json(str(tmp_path / 'a.json'), clean_entries()))
    assert b.class_counts == {
        ('ucf_crime', 'Abuse'): 1,
        ('ucf_crime', 'Burglary'): 1,
        ('ucf_crime', 'Normal'): 2,
        ('ucf_crime', 'RoadAccidents'): 1,
        ('msad', 'Fire'): 1,
        ('msad', 'RoadAccidents'): 1,
        ('msad', 'People_falling'): 1,
    }
