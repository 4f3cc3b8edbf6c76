import numpy as np
import pytest

from fgclip_mm.datasets import (AnnotationError, cover_video_with_clips,
                                load_video_names, parse_ucf_test_annotations,
                                video_stem)
from fgclip_mm.evaluation.functional import read_lengths
from ._helpers import UCF_TEST_COUNTS, UCF_TEST_TXT


def test_parse_official_ucf_test_file_with_irregular_whitespace():
    records = parse_ucf_test_annotations(UCF_TEST_TXT)
    assert len(records) == 290
    first = records[0]
    assert first['name'] == 'Abuse028_x264.mp4'
    assert first['video_id'] == 'Abuse028_x264'
    assert first['class_name'] == 'Abuse' and first['total_frames'] is None
    np.testing.assert_array_equal(first['anomaly_intervals'], [[165, 240]])
    assert sum(r['class_name'] == 'Normal' for r in records) == 150
    two = [r for r in records if len(r['anomaly_intervals']) == 2]
    assert two and all(r['anomaly_intervals'].dtype == np.int64 for r in two)


def test_frame_count_column_and_file():
    records = parse_ucf_test_annotations(UCF_TEST_COUNTS)
    assert records[0]['total_frames'] == 1412
    counts = read_lengths(UCF_TEST_COUNTS)
    assert counts['Abuse028_x264'] == 1412 and len(counts) == 290


def test_malformed_test_line_names_the_line(tmp_path):
    path = tmp_path / 'a.txt'
    path.write_text('a.mp4 Abuse 10 20 -1 -1\nb.mp4 Abuse 30 x -1 -1\n')
    with pytest.raises(AnnotationError, match=r'a.txt:2: .*line 2'):
        parse_ucf_test_annotations(str(path))
    path.write_text('a.mp4 Abuse 20 10 -1 -1\n')
    with pytest.raises(AnnotationError,
                       match=r'a.txt:1: .*ends before it starts.*line 1'):
        parse_ucf_test_annotations(str(path))


def test_video_names_from_lists_csv_and_json(tmp_path):
    (tmp_path / 'l.txt').write_text('# comment\nvideo\na.mp4\nb\n\nc.avi 1\n')
    assert load_video_names(str(tmp_path / 'l.txt')) == {'a', 'b', 'c'}
    (tmp_path / 'l.csv').write_text('video,label_frames\nd,16\n')
    assert load_video_names(str(tmp_path / 'l.csv')) == {'d'}
    assert len(load_video_names(UCF_TEST_TXT)) == 290
    assert video_stem('x/Bad.Boys.1995__#01-11-55_label_A') == \
        'Bad.Boys.1995__#01-11-55_label_A'


@pytest.mark.parametrize('total, clip_len, interval',
                         [(100, 16, 1), (16, 16, 1), (5, 8, 1), (1412, 8, 4),
                          (37, 4, 3)])
def test_cover_video_with_clips(total, clip_len, interval):
    clips = cover_video_with_clips(total, clip_len, interval)
    allf = np.concatenate(clips)
    assert all(c.shape == (clip_len, ) for c in clips)
    assert allf.min() == 0 and allf.max() == total - 1
    if interval == 1:
        assert set(allf.tolist()) == set(range(total))
    for c in clips:  # each clip is regular unless the video is too short
        if total >= clip_len * interval:
            assert np.all(np.diff(c) == interval)
    # consecutive sampled frames are never more than `interval` apart
    assert np.diff(np.unique(allf)).max() <= interval


@pytest.mark.parametrize('text, reason', [
    ('a.mp4 Abuse 10.7 20 -1 -1', 'frame number must be an integer'),
    ('a.mp4 Abuse 10 10 -1 -1', r'\(10, 10\) is empty'),
    ('a.mp4 Abuse', 'expected "name class start end'),
    ('a.mp4 Abuse 1 2 -1 -1\nx/a.avi Abuse 3 4 -1 -1', 'annotated twice'),
])
def test_test_annotation_is_parsed_strictly(tmp_path, text, reason):
    """Floats are not truncated, empty intervals and duplicate videos are not
    accepted (the metric tools' rules)."""
    path = tmp_path / 'a.txt'
    path.write_text(text + '\n')
    with pytest.raises(AnnotationError, match=reason):
        parse_ucf_test_annotations(str(path))


def test_official_format_limit_is_optional(tmp_path):
    path = tmp_path / 'a.txt'
    path.write_text('a.mp4 Riot 1 2 3 4 5 6\n')
    assert parse_ucf_test_annotations(
        str(path))[0]['anomaly_intervals'].tolist() == [[1, 2], [3, 4],
                                                        [5, 6]]
    with pytest.raises(AnnotationError, match='at most two events'):
        parse_ucf_test_annotations(str(path), max_events=2)


def test_exclude_list_with_a_name_twice_is_an_error(tmp_path):
    (tmp_path / 'l.txt').write_text('a.mp4\nb\na\n')
    with pytest.raises(AnnotationError, match=r'l.txt:3: .*line 1'):
        load_video_names(str(tmp_path / 'l.txt'))
