import json
import os.path as osp

import numpy as np
import pytest

from fgclip_mm.annotations import (
    DEMO_CLASSES,
    AnnotationError,
    parse_ucf_test_annotations,
)
from fgclip_mm.datasets import TimestampSegmentDataset

from ._helpers import REAL_JSON, UCF_TEST_COUNTS, UCF_TEST_TXT


def build(ann_file, **kwargs):
    kwargs.setdefault('pipeline', [])
    return TimestampSegmentDataset(ann_file=ann_file, **kwargs)


@pytest.fixture(scope='module')
def real():
    return build(REAL_JSON, check_files=False)


def write_json(tmp_path, entries, name='ann.json'):
    path = tmp_path / name
    path.write_text(json.dumps(entries))
    return str(path)


def anomaly_entry(video='Abuse/Abuse001_x264.mp4', **kw):
    entry = dict(
        video=video,
        global_caption='A man hits a woman.',
        region_captions=['a man in white'],
        box_infos=[[dict(frame=10, bbox=[0.1, 0.2, 0.5, 0.6])]],
        timestamps=None,
    )
    entry.update(kw)
    return entry


# ------------------------------------------------------------ the real file
def test_real_json_loads_all_entries_with_format_counts(real):
    assert len(real) == 1559
    s = real.summary
    assert s['num_anomaly_format'] == 253  # timestamps null
    assert s['num_normal_format'] == 1306  # timestamps given
    # 21 entries in the normal folders have null timestamps and no boxes:
    # they are normal by class (label 0), anomalous only by format.
    assert s['num_anomalous_label'] == 232
    assert s['num_normal_label'] == 1327
    assert s['label_counts'] == {
        'Normal': 1327,
        'Abuse': 33,
        'Burglary': 99,
        'Explosion': 50,
        'Fighting': 50,
    }


def test_real_json_clamps_the_21_out_of_range_boxes(real):
    assert real.summary['num_clamped_boxes'] == 21
    for i in range(len(real)):
        for region in real.get_data_info(i)['box_infos']:
            for kf in region:
                assert all(0.0 <= v <= 1.0 for v in kf['bbox'])


def test_real_json_sample_fields_follow_the_interface(real):
    info = real.get_data_info(0)
    assert info['video_id'] == 'Abuse001_x264'
    assert info['label'] == real.classes.index('Abuse')
    assert info['is_anomaly'] and info['timestamps'] is None
    assert len(info['region_captions']) == len(info['box_infos']) == 3
    normal = next(
        real.get_data_info(i)
        for i in range(len(real))
        if real.get_data_info(i)['timestamps'] is not None
    )
    assert normal['label'] == 0 and not normal['is_anomaly']
    assert normal['box_infos'] == [[]]
    assert len(normal['region_captions']) == 1
    assert normal['timestamps'][0] < normal['timestamps'][1]


def test_exclude_file_removes_every_official_test_video():
    ds = build(REAL_JSON, check_files=False, exclude_file=UCF_TEST_TXT)
    test_ids = {
        r['video_id'] for r in parse_ucf_test_annotations(UCF_TEST_TXT)
    }
    kept = {ds.get_data_info(i)['video_id'] for i in range(len(ds))}
    assert not kept & test_ids
    assert ds.summary['num_excluded_videos'] == 140
    assert len(ds) == 1559 - ds.summary['num_excluded'] == 1245


def test_exclude_names_match_on_stem():
    ds = build(
        REAL_JSON,
        check_files=False,
        exclude_names=['Abuse001_x264.mp4', 'Abuse002_x264'],
    )
    ids = {ds.get_data_info(i)['video_id'] for i in range(len(ds))}
    assert 'Abuse001_x264' not in ids and 'Abuse002_x264' not in ids
    assert len(ds) == 1557


# ------------------------------------------------------------ malformed input
@pytest.mark.parametrize(
    'mutate, message',
    [
        (lambda e: e.pop('global_caption'), "'global_caption' is missing"),
        (lambda e: e.pop('video'), "'video' is missing"),
        (
            lambda e: e['box_infos'][0][0].update(bbox=[0.1, 0.2, 0.3]),
            "'box_infos[0][0].bbox' must be 4 numbers",
        ),
        (
            lambda e: e['box_infos'][0][0].pop('frame'),
            "'box_infos[0][0].frame' is missing",
        ),
        (
            lambda e: e['box_infos'][0][0].update(bbox=[10, 20, 50, 60]),
            'outside the normalised range',
        ),
        (
            lambda e: e['box_infos'][0][0].update(bbox=[0.5, 0.2, 0.1, 0.6]),
            'x2 < x1',
        ),
        (lambda e: e.update(timestamps=[12.0, 3.5]), '0 <= start < end'),
        (lambda e: e.update(timestamps=[1.0]), "'timestamps' must be null or"),
        (
            lambda e: e.update(region_captions=['a', 'b']),
            "1 regions in 'box_infos' but 2 'region_captions'",
        ),
        # a region with keyframes needs its own caption
        (
            lambda e: e.update(region_captions=[]),
            "1 regions in 'box_infos' but 0 'region_captions'",
        ),
        (
            lambda e: e.pop('region_captions'),
            "1 regions in 'box_infos' but 0 'region_captions'",
        ),
        (
            lambda e: e.update(region_captions=['']),
            "field 'region_captions[0]' is empty but region 0 of 'box_infos' "
            'has 1 keyframe',
        ),
        (
            lambda e: e.update(
                region_captions=['a', ' '],
                box_infos=[[], [dict(frame=3, bbox=[0, 0, 1, 1])]],
            ),
            "field 'region_captions[1]' is empty",
        ),
        (
            lambda e: e.update(
                region_captions=['a'],
                box_infos=[[dict(frame=3, bbox=[0, 0, 1, 1])], []],
            ),
            "2 regions in 'box_infos' but 1 'region_captions'",
        ),
    ],
)
def test_malformed_entry_error_names_entry_and_field(
    tmp_path, mutate, message
):
    good = anomaly_entry('Fighting/Fighting002_x264.mp4')
    bad = anomaly_entry('Abuse/Abuse007_x264.mp4')
    mutate(bad)
    path = write_json(tmp_path, [good, bad])
    with pytest.raises(AnnotationError) as err:
        build(path, check_files=False)
    assert f'{path}: entry 1' in str(err.value)
    assert message in str(err.value)


def test_missing_video_file_error_names_entry_and_path(tmp_path):
    (tmp_path / 'Abuse').mkdir()
    (tmp_path / 'Abuse' / 'Abuse001_x264.mp4').write_bytes(b'')
    path = write_json(
        tmp_path,
        [
            anomaly_entry('Abuse/Abuse001_x264.mp4'),
            anomaly_entry('Abuse/Abuse404_x264.mp4'),
        ],
    )
    with pytest.raises(
        AnnotationError,
        match=r'entry 1 \(Abuse/Abuse404'
        r'_x264.mp4\): video file not found',
    ):
        build(path, data_prefix=dict(video=str(tmp_path)))


def test_video_paths_strip_prefix_and_lookup_by_file_name(tmp_path):
    root = tmp_path / 'videos'
    (root / 'Abuse').mkdir(parents=True)
    (root / 'Abuse' / 'Abuse001_x264.mp4').write_bytes(b'')
    (root / 'Abuse' / 'Abuse002_x264.mp4').write_bytes(b'')
    path = write_json(
        tmp_path,
        [
            anomaly_entry('UCF_Crimes/Videos/Abuse/Abuse001_x264.mp4'),
            anomaly_entry('Elsewhere/Abuse/Abuse002_x264.mp4'),
        ],
    )
    ds = build(
        path,
        data_prefix=dict(video=str(root)),
        strip_prefix='UCF_Crimes/Videos/',
    )
    assert ds.get_data_info(0)['filename'] == str(
        root / 'Abuse' / 'Abuse001_x264.mp4'
    )
    assert ds.get_data_info(1)['filename'] == str(
        root / 'Abuse' / 'Abuse002_x264.mp4'
    )


# ------------------------------------------------------------ labels, captions
def test_label_from_explicit_field_overrides_path(tmp_path):
    path = write_json(
        tmp_path,
        [
            anomaly_entry('clips/a.mp4', label='Fighting'),
            anomaly_entry('clips/b.mp4', label=3),
            anomaly_entry('Abuse/c.mp4'),
        ],
    )
    ds = build(path, check_files=False)
    assert [ds.get_data_info(i)['label'] for i in range(3)] == [
        ds.classes.index('Fighting'),
        3,
        ds.classes.index('Abuse'),
    ]


def test_unknown_class_is_an_error_naming_the_entry(tmp_path):
    path = write_json(tmp_path, [anomaly_entry('Riot/r.mp4')])
    with pytest.raises(AnnotationError, match='entry 0.*cannot infer'):
        build(path, check_files=False)
    path = write_json(tmp_path, [anomaly_entry('x/r.mp4', label='Riot')])
    with pytest.raises(AnnotationError, match="'label' = 'Riot'"):
        build(path, check_files=False)
    ds = build(path, check_files=False, class_aliases=dict(Riot='Fighting'))
    assert ds.get_data_info(0)['class_name'] == 'Fighting'


def test_video_level_entries_get_template_captions_and_no_regions(tmp_path):
    """XD-Violence / ShanghaiTech style: only a video-level class."""
    path = write_json(
        tmp_path,
        [
            dict(video='v/normal.mp4', label='Normal'),
            dict(video='v/fight.mp4', label='RoadAccidents', timestamps=None),
        ],
    )
    ds = build(
        path,
        check_files=False,
        caption_template='A surveillance video of {class_text}.',
    )
    normal, anomaly = ds.get_data_info(0), ds.get_data_info(1)
    assert normal['global_caption'] == 'A surveillance video of normal.'
    assert normal['region_captions'] == [normal['global_caption']]
    assert normal['box_infos'] == [[]]
    assert (
        anomaly['global_caption'] == 'A surveillance video of road accidents.'
    )
    assert anomaly['region_captions'] == [] and anomaly['box_infos'] == []
    with pytest.raises(AnnotationError, match="'global_caption' is missing"):
        build(path, check_files=False)


# ------------------------------------------------------------ test mode
def test_test_mode_clips_cover_every_frame_of_every_video():
    ds = build(
        UCF_TEST_COUNTS,
        check_files=False,
        test_mode=True,
        clip_len=16,
        serialize_data=False,
    )
    records = parse_ucf_test_annotations(UCF_TEST_COUNTS)
    assert sum(r['total_frames'] for r in records) == 1111808
    covered = {}
    for info in ds.data_list:
        assert info['frame_inds'].shape == (16,)
        assert info['frame_inds'].dtype == np.int64
        assert info['anomaly_intervals'].dtype == np.int64
        covered.setdefault(info['video_id'], set()).update(
            info['frame_inds'].tolist()
        )
        if info['clip_index'] == 0:
            assert info['num_clips'] == -(-info['total_frames'] // 16)
    assert len(covered) == 290
    for r in records:
        assert covered[r['video_id']] == set(range(r['total_frames']))


def test_test_mode_fields_and_interval_clipping():
    ds = build(
        UCF_TEST_COUNTS,
        check_files=False,
        test_mode=True,
        clip_len=8,
        frame_interval=4,
    )
    first = ds.get_data_info(0)
    assert first['video_id'] == 'Abuse028_x264'
    assert first['class_name'] == 'Abuse' and first['is_anomaly']
    assert first['total_frames'] == 1412
    np.testing.assert_array_equal(first['anomaly_intervals'], [[165, 240]])
    np.testing.assert_array_equal(first['frame_inds'], np.arange(8) * 4)
    # five official intervals end 1-2 frames past the video: clipped
    assert ds.summary['num_intervals_clipped_to_video'] == 5
    arson = next(
        ds.get_data_info(i)
        for i in range(len(ds))
        if ds.get_data_info(i)['video_id'] == 'Arson011_x264'
    )
    assert arson['anomaly_intervals'].max() == arson['total_frames'] == 1266
    normal = next(
        ds.get_data_info(i)
        for i in range(len(ds))
        if ds.get_data_info(i)['class_name'] == 'Normal'
    )
    assert normal['anomaly_intervals'].shape == (0, 2)
    assert normal['label'] == 0


def test_test_mode_frame_counts_from_file_or_video(tmp_path, demo_dir):
    ds = build(
        UCF_TEST_TXT,
        check_files=False,
        test_mode=True,
        frame_counts_file=UCF_TEST_COUNTS,
    )
    assert ds.get_data_info(0)['total_frames'] == 1412
    with pytest.raises(AnnotationError, match='no frame count'):
        build(UCF_TEST_TXT, check_files=False, test_mode=True)
    # demo test set: counts probed from the mp4 headers equal the count file
    common = dict(
        data_root=demo_dir,
        data_prefix=dict(video='videos/test'),
        metainfo=dict(classes=DEMO_CLASSES),
        test_mode=True,
        clip_len=8,
    )
    probed = build('test_annotations.txt', **common)
    counted = build(
        'test_annotations.txt',
        frame_counts_file=osp.join(demo_dir, 'test_frame_counts.txt'),
        **common,
    )
    totals = [
        (
            probed.get_data_info(i)['video_id'],
            probed.get_data_info(i)['total_frames'],
        )
        for i in range(len(probed))
    ]
    assert totals == [
        (
            counted.get_data_info(i)['video_id'],
            counted.get_data_info(i)['total_frames'],
        )
        for i in range(len(counted))
    ]


def test_test_mode_text_annotation_unknown_class_names_line(tmp_path):
    path = tmp_path / 'test.txt'
    path.write_text(
        'a.mp4  Normal  -1  -1  -1  -1  100\n'
        'b.mp4  Riot  10  20  -1  -1  100\n'
    )
    with pytest.raises(AnnotationError, match=r'line 2 \(b.mp4\).*Riot'):
        build(str(path), check_files=False, test_mode=True)


def test_training_refuses_a_text_annotation():
    with pytest.raises(AnnotationError, match='test_mode'):
        build(UCF_TEST_TXT, check_files=False)


def test_uncaptioned_regions_without_keyframes_stay_valid(tmp_path):
    """Only regions with keyframes need a caption: normal entries'
    ``box_infos == [[]]`` (real file) and empty extra regions load."""
    path = write_json(
        tmp_path,
        [
            anomaly_entry(
                region_captions=['a man', ''],
                box_infos=[[dict(frame=1, bbox=[0, 0, 1, 1])], []],
            ),
            dict(
                video='Normal/n.mp4',
                global_caption='x',
                region_captions=['y'],
                box_infos=[[]],
                timestamps=[0.0, 1.0],
            ),
        ],
    )
    ds = build(path, check_files=False)
    assert ds.get_data_info(0)['region_captions'] == ['a man', '']
    assert ds.get_data_info(1)['box_infos'] == [[]]


def test_real_json_every_region_with_keyframes_has_a_caption(real):
    """Independent check on the 1559 loaded entries."""
    n = 0
    for i in range(len(real)):
        info = real.get_data_info(i)
        for region, text in zip(info['box_infos'], info['region_captions']):
            if region:
                assert text.strip()
                n += 1
        if any(info['box_infos']):
            assert len(info['region_captions']) == len(info['box_infos'])
    assert n > 0


def test_test_mode_interval_starting_past_the_video_is_an_error(tmp_path):
    """Every interval is checked, not only the earliest one."""
    ann = tmp_path / 'test.txt'
    ann.write_text(
        'a.mp4  Abuse  10  20  -1  -1\nb.mp4  Abuse  10  20  150  170\n'
    )
    counts = tmp_path / 'counts.txt'
    counts.write_text('a.mp4 100\nb.mp4 150\n')
    with pytest.raises(
        AnnotationError,
        match=r'test.txt: line 2 \(b\): anomaly interval\(s\) '
        r'\[\[150, 170\]\] start at or after the end of the video '
        r'\(150 frames\)',
    ):
        build(
            str(ann),
            check_files=False,
            test_mode=True,
            frame_counts_file=str(counts),
        )
    # ends 1-2 frames past the end are still clipped and counted
    counts.write_text('a.mp4 100\nb.mp4 169\n')
    ds = build(
        str(ann),
        check_files=False,
        test_mode=True,
        frame_counts_file=str(counts),
    )
    b = next(
        ds.get_data_info(i)
        for i in range(len(ds))
        if ds.get_data_info(i)['video_id'] == 'b'
    )
    np.testing.assert_array_equal(
        b['anomaly_intervals'], [[10, 20], [150, 169]]
    )
    assert ds.summary['num_intervals_clipped_to_video'] == 1
    # a count in the line itself: rejected by the parser, file and line named
    ann.write_text('a.mp4  Abuse  10  20  150  170  150\n')
    with pytest.raises(
        AnnotationError,
        match=r'test.txt:1: interval \(150, 170\) starts at '
        r'or after the end of the video \(150 frames\)',
    ):
        build(str(ann), check_files=False, test_mode=True)


def test_test_mode_json_interval_past_the_video_names_entry(tmp_path):
    path = write_json(
        tmp_path,
        [
            anomaly_entry(anomaly_intervals=[[10, 20]], total_frames=100),
            anomaly_entry(
                'Abuse/Abuse002_x264.mp4',
                anomaly_intervals=[[10, 20], [120, 130]],
                total_frames=100,
            ),
        ],
    )
    with pytest.raises(
        AnnotationError,
        match=r'entry 1 \(Abuse002_x264\): anomaly '
        r'interval\(s\) \[\[120, 130\]\]',
    ):
        build(path, check_files=False, test_mode=True)


@pytest.mark.parametrize('intervals', [None, []])
def test_test_mode_anomalous_json_entry_without_intervals_is_an_error(
    tmp_path, intervals
):
    extra = {} if intervals is None else dict(anomaly_intervals=intervals)
    path = write_json(
        tmp_path,
        [
            anomaly_entry(anomaly_intervals=[[10, 20]], total_frames=100),
            anomaly_entry(
                'Fighting/Fighting003_x264.mp4', total_frames=100, **extra
            ),
            dict(
                video='Normal/n.mp4',
                global_caption='x',
                timestamps=[0.0, 1.0],
                total_frames=100,
            ),
        ],
    )
    with pytest.raises(
        AnnotationError,
        match=r'entry 1 \(Fighting/Fighting003_x264.mp4\): '
        r"class 'Fighting' is anomalous but field "
        r"'anomaly_intervals' gives no anomaly interval",
    ):
        build(path, check_files=False, test_mode=True)
    # without the bad entry: anomalous and normal entries load
    entries = json.loads(open(path).read())
    path = write_json(tmp_path, [entries[0], entries[2]], 'ok.json')
    ds = build(path, check_files=False, test_mode=True, clip_len=16)
    labels = {
        ds.get_data_info(i)['video_id']: ds.get_data_info(i)[
            'anomaly_intervals'
        ].tolist()
        for i in range(len(ds))
    }
    assert labels == {'Abuse001_x264': [[10, 20]], 'n': []}


@pytest.mark.parametrize('value', [[[10]], [[20, 10]], [[1.5, 3]], 'x'])
def test_test_mode_malformed_json_intervals_name_entry(tmp_path, value):
    path = write_json(
        tmp_path, [anomaly_entry(anomaly_intervals=value, total_frames=100)]
    )
    with pytest.raises(
        AnnotationError, match=r"entry 0 .*'anomaly_intervals' must be"
    ):
        build(path, check_files=False, test_mode=True)


def test_test_mode_anomalous_text_line_without_intervals_is_an_error(tmp_path):
    path = tmp_path / 'test.txt'
    path.write_text(
        'a.mp4  Normal  -1  -1  -1  -1  100\n'
        'b.mp4  Abuse  -1  -1  -1  -1  100\n'
    )
    with pytest.raises(
        AnnotationError,
        match=r"line 2 \(b.mp4\): class 'Abuse' is "
        'anomalous but the line gives no anomaly interval',
    ):
        build(str(path), check_files=False, test_mode=True)


def test_test_mode_text_reads_any_number_of_intervals(tmp_path):
    """Converter outputs (XD-Violence) carry more than two events."""
    path = tmp_path / 'test.txt'
    path.write_text('a.mp4  Fighting  1 2 5 9 20 30  40\n')
    ds = build(
        str(path),
        check_files=False,
        test_mode=True,
        metainfo=dict(classes=('Normal', 'Fighting')),
    )
    np.testing.assert_array_equal(
        ds.get_data_info(0)['anomaly_intervals'], [[1, 2], [5, 9], [20, 30]]
    )


def test_missing_videos_skip_drops_and_reports_the_entries(tmp_path):
    (tmp_path / 'Abuse').mkdir()
    (tmp_path / 'Abuse' / 'Abuse001_x264.mp4').write_bytes(b'')
    path = write_json(
        tmp_path,
        [
            anomaly_entry('Abuse/Abuse001_x264.mp4'),
            anomaly_entry('Abuse/Abuse404_x264.mp4'),
        ],
    )
    ds = build(
        path, data_prefix=dict(video=str(tmp_path)), missing_videos='skip'
    )
    assert len(ds) == 1
    assert ds.get_data_info(0)['video_id'] == 'Abuse001_x264'
    assert ds.summary['num_missing_videos_skipped'] == 1


def test_missing_videos_skip_is_refused_for_test_sets(tmp_path):
    with pytest.raises(ValueError, match='test mode'):
        TimestampSegmentDataset(
            ann_file=str(tmp_path / 'test.txt'),
            pipeline=[],
            test_mode=True,
            missing_videos='skip',
        )


# ----------------------------------------------------- duplicated entries
@pytest.mark.parametrize('policy, expected', [('warn', 1559), ('skip', 1554)])
def test_real_json_exact_repeats_are_counted_or_dropped(policy, expected):
    # 5 entries of the original JSON repeat an earlier one exactly
    ds = build(REAL_JSON, check_files=False, duplicate_entries=policy)
    assert len(ds) == expected
    if policy == 'warn':
        assert ds.summary['num_duplicate_entries'] == 5
    else:
        assert ds.summary['invalid_by_reason'] == {'duplicate_entry': 5}


def test_duplicate_entries_policy_is_checked_by_name():
    with pytest.raises(ValueError, match='duplicate_entries must be one of'):
        build(REAL_JSON, check_files=False, duplicate_entries='drop')


def test_dataset_refuses_a_real_json_repeat_when_asked():
    with pytest.raises(AnnotationError, match='391'):
        build(REAL_JSON, check_files=False, duplicate_entries='error')
