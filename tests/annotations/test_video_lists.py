import os.path as osp

import pytest

from fgclip_mm.annotations import (
    AnnotationError,
    load_video_names,
    parse_ucf_crime_annotations,
    read_lengths,
    read_video_list,
    video_stem,
)

from .._paths import write_text


def test_read_lengths_csv_with_header_and_frame_count_file(data_root):
    csv_lengths = read_lengths(
        osp.join(data_root, 'ucf_crime', 'test_snippet16_lengths.csv')
    )
    assert len(csv_lengths) == 290
    assert csv_lengths['Abuse028_x264'] == 1408
    assert sum(csv_lengths.values()) == 1_109_680
    counts = read_lengths(
        osp.join(
            data_root, 'ucf_crime', 'test_annotations_with_frame_counts.txt'
        )
    )
    assert counts['Abuse028_x264'] == 1412
    assert sum(counts.values()) == 1_111_808


def test_read_lengths_bad_value_names_line(tmp_path):
    path = write_text(tmp_path, 'len.csv', 'video,label_frames\na,16\nb,x\n')
    with pytest.raises(AnnotationError, match=r'len.csv:3'):
        read_lengths(path)


def test_read_video_list_rejects_duplicates(tmp_path):
    path = write_text(tmp_path, 'order.txt', 'a.mp4\n\nb\na\n')
    with pytest.raises(AnnotationError, match=r'order.txt:4: .*line 1'):
        read_video_list(path)
    assert read_video_list(write_text(tmp_path, 'ok.txt', 'a.mp4\r\nb\n')) == [
        'a',
        'b',
    ]


def test_video_ids_drop_folders_everywhere(tmp_path):
    """Converter outputs name videos by path (ShanghaiTech:
    ``videos/01_0014.mp4``); every reader keys them by the same id."""
    assert video_stem('videos/01_0014.mp4') == '01_0014'
    assert video_stem('a\\b\\C_label_A.avi') == 'C_label_A'
    ann = write_text(
        tmp_path, 'ann.txt', 'videos/01_0014.mp4 Anomaly 1 3 4 5 6\n'
    )
    assert list(parse_ucf_crime_annotations(ann)) == ['01_0014']
    assert read_lengths(ann) == {'01_0014': 6}
    assert read_video_list(
        write_text(tmp_path, 'l.txt', 'videos/01_0014.mp4\n')
    ) == ['01_0014']


def test_read_video_list_first_field_mode(tmp_path):
    path = write_text(
        tmp_path,
        'l.csv',
        '# made by hand\nvideo,label_frames\na.mp4,16\nb c\n',
    )
    assert read_video_list(path, first_field=True) == ['a', 'b']
    with pytest.raises(AnnotationError, match='one video name per line'):
        read_video_list(path)
    dup = write_text(tmp_path, 'dup.txt', 'a.mp4 Abuse\nx/a.mp4 Abuse\n')
    with pytest.raises(AnnotationError, match=r'dup.txt:2: .*line 1'):
        read_video_list(dup, first_field=True)


def test_video_names_from_lists_csv_and_json(tmp_path, data_root):
    write_text(tmp_path, 'l.txt', '# comment\nvideo\na.mp4\nb\n\nc.avi 1\n')
    assert load_video_names(str(tmp_path / 'l.txt')) == {'a', 'b', 'c'}
    write_text(tmp_path, 'l.csv', 'video,label_frames\nd,16\n')
    assert load_video_names(str(tmp_path / 'l.csv')) == {'d'}
    write_text(tmp_path, 'l.json', '[{"video": "x/e.mp4"}, "f.avi"]')
    assert load_video_names(str(tmp_path / 'l.json')) == {'e', 'f'}
    ucf = osp.join(
        data_root,
        'ucf_crime',
        'Temporal_Anomaly_Annotation_for_Testing_Videos.txt',
    )
    assert len(load_video_names(ucf)) == 290


def test_exclude_list_with_a_name_twice_is_an_error(tmp_path):
    write_text(tmp_path, 'l.txt', 'a.mp4\nb\na\n')
    with pytest.raises(AnnotationError, match=r'l.txt:3: .*line 1'):
        load_video_names(str(tmp_path / 'l.txt'))
