import os.path as osp

import numpy as np
import pytest

from fgclip_mm.evaluation.functional import (
    AnnotationError, is_xd_violence_normal, load_shanghaitech_masks,
    parse_shanghaitech_split, parse_ucf_crime_annotations,
    parse_xd_violence_annotations, read_lengths, read_video_list,
    video_stem)


def _write(tmp_path, name, text, newline=None):
    path = tmp_path / name
    with open(path, 'w', newline=newline) as f:
        f.write(text)
    return str(path)


def test_video_stem_keeps_dots_of_xd_names():
    assert video_stem('Abuse028_x264.mp4') == 'Abuse028_x264'
    name = 'Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6'
    assert video_stem(name) == name
    assert video_stem(name + '.mp4') == name


def test_ucf_official_file_parses_all_290_videos(data_root):
    ann = parse_ucf_crime_annotations(
        osp.join(data_root, 'ucf_crime',
                 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt'))
    assert len(ann) == 290
    normal = [v for v, e in ann.items() if e['class_name'] == 'Normal']
    assert len(normal) == 150
    assert all(not ann[v]['intervals'] for v in normal)
    assert all(ann[v]['intervals'] for v in ann if v not in normal)
    assert ann['Abuse028_x264'] == dict(
        class_name='Abuse', intervals=[(165, 240)], num_frames=None)
    assert ann['Arson011_x264']['intervals'] == [(150, 420), (680, 1267)]


def test_ucf_frame_count_file_gives_1111808_frames(data_root):
    ann = parse_ucf_crime_annotations(
        osp.join(data_root, 'ucf_crime',
                 'test_annotations_with_frame_counts.txt'))
    assert len(ann) == 290
    assert sum(e['num_frames'] for e in ann.values()) == 1_111_808
    # annotated past the end of the video: kept as written here, clipped
    # by the ground-truth builder
    assert ann['Arson011_x264']['num_frames'] == 1266
    assert ann['Arson011_x264']['intervals'][-1] == (680, 1267)


def test_ucf_irregular_whitespace_and_optional_second_event(tmp_path):
    path = _write(
        tmp_path,
        'ann.txt', 'A001_x264.mp4\tAbuse \t 10   20  -1 -1\r\n'
        '\n'
        'B002_x264.mp4  Burglary 5 9\r\n'
        'C003_x264.mp4 Arson 1 2 30 40 100\n'
        'Normal_Videos_1_x264.mp4  Normal  -1  -1  -1  -1  \r\n',
        newline='')
    ann = parse_ucf_crime_annotations(path)
    assert ann['A001_x264']['intervals'] == [(10, 20)]
    assert ann['B002_x264']['intervals'] == [(5, 9)]
    assert ann['C003_x264'] == dict(
        class_name='Arson', intervals=[(1, 2), (30, 40)], num_frames=100)
    assert ann['Normal_Videos_1_x264']['intervals'] == []


@pytest.mark.parametrize('line, reason',
                         [('A.mp4 Abuse 10 x -1 -1', 'must be an integer'),
                          ('A.mp4 Abuse 10', 'expected'),
                          ('A.mp4 Abuse 20 10 -1 -1', 'ends before it starts'),
                          ('A.mp4 Abuse 10 -1 -1 -1', 'negative'),
                          ('A.mp4 Abuse 1 2 3 4 5 6', 'at most two events'),
                          ('A.mp4 Abuse 10 10 -1 -1', r'\(10, 10\) is empty'),
                          ('A.mp4 Abuse 10.5 20 -1 -1', 'must be an integer'),
                          ('A.mp4 Abuse 10 20 300 310 300',
                           r'\(300, 310\) starts at or after the end of '
                           r'the video \(300 frames\)')])
def test_ucf_malformed_line_names_file_and_line(tmp_path, line, reason):
    path = _write(tmp_path, 'ann.txt', 'Ok.mp4 Abuse 1 2 -1 -1\n' + line)
    with pytest.raises(AnnotationError, match=reason) as info:
        parse_ucf_crime_annotations(path)
    assert f'{path}:2' in str(info.value)
    assert info.value.lineno == 2


def test_ucf_duplicate_video_is_an_error(tmp_path):
    path = _write(tmp_path, 'ann.txt',
                  'A.mp4 Abuse 1 2 -1 -1\nA.mp4 Abuse 3 4 -1 -1\n')
    with pytest.raises(AnnotationError, match='annotated twice'):
        parse_ucf_crime_annotations(path)


def test_xd_annotations_500_lines_with_stray_mp4(data_root):
    path = osp.join(data_root, 'xd_violence', 'annotations.txt')
    with open(path) as f:
        lines = [line for line in f if line.strip()]
    assert len(lines) == 500
    assert sum(line.split()[0].endswith('.mp4') for line in lines) == 14
    ann = parse_xd_violence_annotations(path)
    assert len(ann) == 500
    assert not any(v.endswith('.mp4') for v in ann)
    assert ann['v=S-7rRLrxnVQ__#1_label_B4-0-0'] == [(0, 1517), (1970, 3038)]
    assert ann['v=U6MC8JJJZSY__#1_label_G-0-0'] == [(150, 779)]
    assert max(len(v) for v in ann.values()) > 2  # variable number of pairs


def test_xd_test_list_has_500_violent_and_300_normal(data_root):
    ann = parse_xd_violence_annotations(
        osp.join(data_root, 'xd_violence', 'annotations.txt'))
    test = read_video_list(osp.join(data_root, 'xd_violence', 'test_list.txt'))
    assert len(test) == 800
    normal = [v for v in test if is_xd_violence_normal(v)]
    violent = [v for v in test if not is_xd_violence_normal(v)]
    assert (len(violent), len(normal)) == (500, 300)
    assert set(violent) == set(ann)


def test_xd_normal_recognised_by_label_a_only():
    assert is_xd_violence_normal('Foo__#00-01_label_A')
    assert is_xd_violence_normal('Foo__#00-01_label_A.mp4')
    assert not is_xd_violence_normal('Foo__#00-01_label_B1-A-0')
    assert not is_xd_violence_normal('Foo__#00-01_label_G-0-0')
    assert not is_xd_violence_normal('A_movie_without_label')


@pytest.mark.parametrize('line, reason', [
    ('v=x_label_B1-0-0 10 20 30', 'start/end pairs'),
    ('v=x_label_B1-0-0', 'start/end pairs'),
    ('v=x_label_B1-0-0 10 2x', 'must be an integer'),
    ('v=x_label_A 10 20', 'normal'),
])
def test_xd_malformed_line_names_file_and_line(tmp_path, line, reason):
    path = _write(tmp_path, 'annotations.txt',
                  'v=ok_label_B2-0-0 1 2\n\n' + line + '\n')
    with pytest.raises(AnnotationError, match=reason) as info:
        parse_xd_violence_annotations(path)
    assert f'{path}:3' in str(info.value)


def test_shanghaitech_weak_split_199_test_44_anomalous(data_root):
    test = parse_shanghaitech_split(
        osp.join(data_root, 'shanghaitech', 'SH_Test_NEW.txt'))
    assert len(test) == 199
    assert sum(e['is_anomaly'] for e in test) == 44
    assert test[0] == dict(video='01_001', is_anomaly=False, num_frames=764)
    assert test[1] == dict(video='01_0015', is_anomaly=True, num_frames=None)
    train = parse_shanghaitech_split(
        osp.join(data_root, 'shanghaitech', 'SH_Train_new.txt'))
    assert (len(train), sum(e['is_anomaly'] for e in train)) == (238, 63)


def test_shanghaitech_reads_107_frame_masks(data_root):
    masks = load_shanghaitech_masks(
        osp.join(data_root, 'shanghaitech', 'test_frame_mask'))
    assert len(masks) == 107
    assert all(m.dtype == np.uint8 and m.ndim == 1 for m in masks.values())
    assert masks['01_0014'].shape == (265, )
    assert int(masks['01_0014'].sum()) == 76


def test_shanghaitech_missing_mask_is_an_error(data_root):
    with pytest.raises(FileNotFoundError, match='99_9999'):
        load_shanghaitech_masks(
            osp.join(data_root, 'shanghaitech', 'test_frame_mask'),
            ['01_0014', '99_9999'])


def test_shanghaitech_bad_label_names_line(tmp_path):
    path = _write(tmp_path, 'split.txt', '01_001,0,764\n01_002,2,10\n')
    with pytest.raises(AnnotationError, match=r'split.txt:2: label'):
        parse_shanghaitech_split(path)


def test_read_lengths_csv_with_header_and_frame_count_file(data_root):
    csv_lengths = read_lengths(
        osp.join(data_root, 'ucf_crime', 'test_snippet16_lengths.csv'))
    assert len(csv_lengths) == 290
    assert csv_lengths['Abuse028_x264'] == 1408
    assert sum(csv_lengths.values()) == 1_109_680
    counts = read_lengths(
        osp.join(data_root, 'ucf_crime',
                 'test_annotations_with_frame_counts.txt'))
    assert counts['Abuse028_x264'] == 1412
    assert sum(counts.values()) == 1_111_808


def test_read_lengths_bad_value_names_line(tmp_path):
    path = _write(tmp_path, 'len.csv', 'video,label_frames\na,16\nb,x\n')
    with pytest.raises(AnnotationError, match=r'len.csv:3'):
        read_lengths(path)


def test_read_video_list_rejects_duplicates(tmp_path):
    path = _write(tmp_path, 'order.txt', 'a.mp4\n\nb\na\n')
    with pytest.raises(AnnotationError, match=r'order.txt:4: .*line 1'):
        read_video_list(path)
    assert read_video_list(_write(tmp_path, 'ok.txt',
                                  'a.mp4\r\nb\n')) == ['a', 'b']


def test_ucf_any_number_of_events_when_max_events_is_none(tmp_path):
    path = _write(tmp_path, 'ann.txt', 'A.mp4 Riot 1 2 3 4 5 6 7\n')
    assert parse_ucf_crime_annotations(path, max_events=None) == {
        'A': dict(class_name='Riot', intervals=[(1, 2), (3, 4), (5, 6)],
                  num_frames=7)
    }


def test_video_ids_drop_folders_everywhere(tmp_path):
    """Converter outputs name videos by path (ShanghaiTech:
    ``videos/01_0014.mp4``); every reader keys them by the same id."""
    assert video_stem('videos/01_0014.mp4') == '01_0014'
    assert video_stem('a\\b\\C_label_A.avi') == 'C_label_A'
    ann = _write(tmp_path, 'ann.txt',
                 'videos/01_0014.mp4 Anomaly 1 3 4 5 6\n')
    assert list(parse_ucf_crime_annotations(ann)) == ['01_0014']
    assert read_lengths(ann) == {'01_0014': 6}
    assert read_video_list(_write(tmp_path, 'l.txt',
                                  'videos/01_0014.mp4\n')) == ['01_0014']


def test_read_video_list_first_field_mode(tmp_path):
    path = _write(tmp_path, 'l.csv',
                  '# made by hand\nvideo,label_frames\na.mp4,16\nb c\n')
    assert read_video_list(path, first_field=True) == ['a', 'b']
    with pytest.raises(AnnotationError, match='one video name per line'):
        read_video_list(path)
    dup = _write(tmp_path, 'dup.txt', 'a.mp4 Abuse\nx/a.mp4 Abuse\n')
    with pytest.raises(AnnotationError, match=r'dup.txt:2: .*line 1'):
        read_video_list(dup, first_field=True)


def test_gzip_annotation_files_are_read(tmp_path):
    import gzip
    path = str(tmp_path / 'ann.txt.gz')
    with gzip.open(path, 'wt') as f:
        f.write('A.mp4 Abuse 1 2 -1 -1 10\n')
    assert parse_ucf_crime_annotations(path)['A']['num_frames'] == 10
    assert read_lengths(path) == {'A': 10}


def test_one_annotation_error_class_for_datasets_and_evaluation(tmp_path):
    import pickle

    from fgclip_mm import datasets, evaluation
    from fgclip_mm.datasets.annotations import validate_fgclip_entry
    assert datasets.AnnotationError is AnnotationError
    assert evaluation.AnnotationError is AnnotationError
    # the dataset's JSON checks raise it ...
    with pytest.raises(AnnotationError, match="entry 3: field 'video'"):
        validate_fgclip_entry({}, 'entry 3')
    # ... and so does the dataset's text parser (same class, same message)
    path = _write(tmp_path, 'ann.txt', 'A.mp4 Abuse 1 x -1 -1\n')
    with pytest.raises(AnnotationError) as info:
        datasets.parse_ucf_test_annotations(path)
    assert info.value.lineno == 1 and f'{path}:1' in str(info.value)
    # survives pickling (dataloader workers)
    err = pickle.loads(pickle.dumps(info.value))
    assert type(err) is AnnotationError and str(err) == str(info.value)


@pytest.mark.parametrize('name', [
    'Temporal_Anomaly_Annotation_for_Testing_Videos.txt',
    'test_annotations_with_frame_counts.txt'
])
def test_dataset_and_metric_read_the_ucf_files_alike(data_root, name):
    """The dataset's records and the metric's mapping come from one parser;
    oracle: a plain split of the file."""
    from fgclip_mm.datasets import parse_ucf_test_annotations
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
        pairs = [(s, e) for s, e in zip(nums[::2], nums[1::2])
                 if (s, e) != (-1, -1)]
        assert rec['name'] == row[0] and rec['class_name'] == row[1]
        assert rec['total_frames'] == total
        assert rec['anomaly_intervals'].tolist() == [list(p) for p in pairs]
        assert ann[rec['video_id']] == dict(
            class_name=row[1], intervals=pairs, num_frames=total)
