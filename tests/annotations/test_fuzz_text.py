"""Arbitrary bytes -> file -> text parser: valid records or an
:class:`AnnotationError` naming the file and line, nothing else (issue 13.3).
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fgclip_mm.annotations import (
    MAX_INT,
    is_xd_violence_normal,
    load_video_names,
    parse_msad_annotations,
    parse_shanghaitech_split,
    parse_ucf_test_annotations,
    parse_xd_violence_annotations,
    read_lengths,
    read_msad_split,
    read_ucf_annotation_lines,
    read_video_list,
)

from ._fuzz import (
    FUZZ,
    check_video_id,
    files,
    is_frame_number,
    lines,
    parse_or_named_error,
    text_files,
    write,
)

TEXT = ['.txt', '.txt.gz', '.list']
CSV = ['.csv', '.csv.gz', '.tsv']
UCF_FILES = files(
    text_files(lines(classes=['Abuse', 'Normal', 'Arson', '-1'])), TEXT
)


def _check_intervals(intervals, num_frames=None) -> None:
    for start, end in intervals:
        assert is_frame_number(start) and is_frame_number(end)
        assert 0 <= start < end
        assert num_frames is None or start < num_frames


@FUZZ
@given(file=UCF_FILES, max_events=st.sampled_from([2, None]))
def test_ucf_lines_parse_or_name_the_line(tmp_path, file, max_events):
    path = write(tmp_path, file)
    records = parse_or_named_error(
        lambda p: read_ucf_annotation_lines(p, max_events), path
    )
    if records is None:
        return
    assert len({r['video'] for r in records}) == len(records)
    assert [r['line'] for r in records] == sorted(r['line'] for r in records)
    for r in records:
        check_video_id(r['video'])
        assert r['name'] and not r['name'].isspace()
        assert r['num_frames'] is None or 0 < r['num_frames'] <= MAX_INT
        _check_intervals(r['intervals'], r['num_frames'])
        assert max_events is None or len(r['intervals']) <= max_events
    # the dataset's view of the same file: int64 arrays, no overflow
    for rec in parse_ucf_test_annotations(path, max_events):
        assert rec['anomaly_intervals'].dtype == np.int64
        assert rec['anomaly_intervals'].shape[1:] == (2,)


@FUZZ
@given(file=files(text_files(), TEXT))
def test_xd_violence_parses_or_names_the_line(tmp_path, file):
    path = write(tmp_path, file)
    videos = parse_or_named_error(parse_xd_violence_annotations, path)
    for video, intervals in (videos or {}).items():
        check_video_id(video)
        assert not is_xd_violence_normal(video)
        _check_intervals(intervals)


SHT_LINES = lines(
    names=['01_0014', '05_0018.avi', 'clips/', '12_0173'],
    classes=['0', '1', '2', '-1', ''],
    seps=[',', ', '],
)


@FUZZ
@given(file=files(text_files(SHT_LINES), TEXT))
def test_shanghaitech_split_parses_or_names_the_line(tmp_path, file):
    path = write(tmp_path, file)
    entries = parse_or_named_error(parse_shanghaitech_split, path)
    if entries is None:
        return
    assert len({e['video'] for e in entries}) == len(entries)
    for e in entries:
        check_video_id(e['video'])
        assert isinstance(e['is_anomaly'], bool)
        assert e['num_frames'] is None or 0 < e['num_frames'] <= MAX_INT


MSAD_HEADER = (
    'name,scenario,total frames,starting frame of anomaly,'
    'ending frame of anomaly'
)
MSAD_LINES = lines(
    names=['Assault_1', 'Fire_2.mp4', 'MSAD_normal_testing_4', 'Parkour_2'],
    classes=['shop', '', 'street'],
    seps=[',', '\t', ',"', '"'],
)


@FUZZ
@given(file=files(text_files(MSAD_LINES, header=MSAD_HEADER), CSV))
def test_msad_csv_parses_or_names_the_line(tmp_path, file):
    path = write(tmp_path, file)
    videos = parse_or_named_error(parse_msad_annotations, path)
    for video, rec in (videos or {}).items():
        check_video_id(video)
        assert 0 < rec['num_frames'] <= MAX_INT
        _check_intervals(rec['intervals'], rec['num_frames'])
        assert all(end <= rec['num_frames'] for _, end in rec['intervals'])
        assert len(set(rec['intervals'])) == len(rec['intervals'])


LIST_LINES = lines(seps=[',', ' '])


@FUZZ
@given(file=files(text_files(LIST_LINES), TEXT))
def test_split_lists_parse_or_name_the_line(tmp_path, file):
    path = write(tmp_path, file)
    for reader in (
        read_video_list,
        lambda p: read_video_list(p, first_field=True),
        read_msad_split,
    ):
        videos = parse_or_named_error(reader, path)
        if videos is not None:
            assert len(set(videos)) == len(videos)
            for video in videos:
                check_video_id(video)
    names = parse_or_named_error(load_video_names, path)
    for video in names or ():
        check_video_id(video)


@FUZZ
@given(file=files(text_files(LIST_LINES, header='video,length'), CSV))
def test_frame_counts_parse_or_name_the_line(tmp_path, file):
    path = write(tmp_path, file)
    lengths = parse_or_named_error(read_lengths, path)
    for video, length in (lengths or {}).items():
        check_video_id(video)
        assert is_frame_number(length) and length >= 0
