import os.path as osp

import pytest

from fgclip_mm.annotations import (
    AnnotationError,
    parse_ucf_crime_annotations,
    parse_ucf_test_annotations,
    read_lengths,
)

from .._paths import write_text


def test_ucf_official_file_parses_all_290_videos(data_root):
    ann = parse_ucf_crime_annotations(
        osp.join(
            data_root,
            'ucf_crime',
            'Temporal_Anomaly_Annotation_for_Testing_Videos.txt',
        )
    )
    assert len(ann) == 290
    normal = [v for v, e in ann.items() if e['class_name'] == 'Normal']
    assert len(normal) == 150
    assert all(not ann[v]['intervals'] for v in normal)
    assert all(ann[v]['intervals'] for v in ann if v not in normal)
    assert ann['Abuse028_x264'] == dict(
        class_name='Abuse', intervals=[(165, 240)], num_frames=None
    )
    assert ann['Arson011_x264']['intervals'] == [(150, 420), (680, 1267)]


def test_ucf_frame_count_file_gives_1111808_frames(data_root):
    ann = parse_ucf_crime_annotations(
        osp.join(
            data_root, 'ucf_crime', 'test_annotations_with_frame_counts.txt'
        )
    )
    assert len(ann) == 290
    assert sum(e['num_frames'] for e in ann.values()) == 1_111_808
    # annotated past the end of the video: kept as written here, clipped
    # by the ground-truth builder
    assert ann['Arson011_x264']['num_frames'] == 1266
    assert ann['Arson011_x264']['intervals'][-1] == (680, 1267)


def test_ucf_irregular_whitespace_and_optional_second_event(tmp_path):
    path = write_text(
        tmp_path,
        'ann.txt',
        'A001_x264.mp4\tAbuse \t 10   20  -1 -1\r\n'
        '\n'
        'B002_x264.mp4  Burglary 5 9\r\n'
        'C003_x264.mp4 Arson 1 2 30 40 100\n'
        'Normal_Videos_1_x264.mp4  Normal  -1  -1  -1  -1  \r\n',
        newline='',
    )
    ann = parse_ucf_crime_annotations(path)
    assert ann['A001_x264']['intervals'] == [(10, 20)]
    assert ann['B002_x264']['intervals'] == [(5, 9)]
    assert ann['C003_x264'] == dict(
        class_name='Arson', intervals=[(1, 2), (30, 40)], num_frames=100
    )
    assert ann['Normal_Videos_1_x264']['intervals'] == []


@pytest.mark.parametrize(
    'line, reason',
    [
        ('A.mp4 Abuse 10 x -1 -1', 'must be an integer'),
        ('A.mp4 Abuse 10', 'expected'),
        ('A.mp4 Abuse 20 10 -1 -1', 'ends before it starts'),
        ('A.mp4 Abuse 10 -1 -1 -1', 'negative'),
        ('A.mp4 Abuse 1 2 3 4 5 6', 'at most two events'),
        ('A.mp4 Abuse 10 10 -1 -1', r'\(10, 10\) is empty'),
        ('A.mp4 Abuse 10.5 20 -1 -1', 'must be an integer'),
        (
            'A.mp4 Abuse 10 20 300 310 300',
            r'\(300, 310\) starts at or after the end of '
            r'the video \(300 frames\)',
        ),
    ],
)
def test_ucf_malformed_line_names_file_and_line(tmp_path, line, reason):
    path = write_text(tmp_path, 'ann.txt', 'Ok.mp4 Abuse 1 2 -1 -1\n' + line)
    with pytest.raises(AnnotationError, match=reason) as info:
        parse_ucf_crime_annotations(path)
    assert f'{path}:2' in str(info.value)
    assert info.value.lineno == 2


def test_ucf_duplicate_video_is_an_error(tmp_path):
    path = write_text(
        tmp_path, 'ann.txt', 'A.mp4 Abuse 1 2 -1 -1\nA.mp4 Abuse 3 4 -1 -1\n'
    )
    with pytest.raises(AnnotationError, match='annotated twice'):
        parse_ucf_crime_annotations(path)


def test_ucf_any_number_of_events_when_max_events_is_none(tmp_path):
    path = write_text(tmp_path, 'ann.txt', 'A.mp4 Riot 1 2 3 4 5 6 7\n')
    assert parse_ucf_crime_annotations(path, max_events=None) == {
        'A': dict(
            class_name='Riot', intervals=[(1, 2), (3, 4), (5, 6)], num_frames=7
        )
    }


def test_gzip_annotation_files_are_read(tmp_path):
    import gzip

    path = str(tmp_path / 'ann.txt.gz')
    with gzip.open(path, 'wt') as f:
        f.write('A.mp4 Abuse 1 2 -1 -1 10\n')
    assert parse_ucf_crime_annotations(path)['A']['num_frames'] == 10
    assert read_lengths(path) == {'A': 10}


@pytest.mark.parametrize(
    'name',
    [
        'Temporal_Anomaly_Annotation_for_Testing_Videos.txt',
        'test_annotations_with_frame_counts.txt',
    ],
)
def test_ucf_files_against_a_plain_split(data_root, name):
    """The dataset's records and the metric's mapping come from one parser;
    oracle: a plain split of the file."""
    path = osp.join(data_root, 'ucf_crime', name)
    records = parse_ucf_test_annotations(path)
    ann = parse_ucf_crime_annotations(path)
    assert [r['video_id'] for r in records] == list(ann)
    with open(path) as f:
        rows = [line.split() for line in f if line.strip()]
    assert len(rows) == len(records) == 290
    for row, rec in zip(rows, records):
        nums = [int(v) for v in row[2:]]
        total = nums.pop() if len(nums) % 2 else None
        pairs = [
            (s, e) for s, e in zip(nums[::2], nums[1::2]) if (s, e) != (-1, -1)
        ]
        assert rec['name'] == row[0] and rec['class_name'] == row[1]
        assert rec['total_frames'] == total
        assert rec['anomaly_intervals'].tolist() == [list(p) for p in pairs]
        assert ann[rec['video_id']] == dict(
            class_name=row[1], intervals=pairs, num_frames=total
        )
