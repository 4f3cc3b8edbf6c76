import pickle

import pytest

from fgclip_mm.annotations import (
    AnnotationError,
    load_json_entries,
    parse_ucf_test_annotations,
    read_lengths,
    validate_fgclip_entry,
    video_stem,
)

from .._paths import write_text


def test_video_stem_keeps_dots_of_xd_names():
    assert video_stem('Abuse028_x264.mp4') == 'Abuse028_x264'
    name = 'Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6'
    assert video_stem(name) == name
    assert video_stem(name + '.mp4') == name


def test_one_error_class_names_file_and_line_and_survives_pickling(tmp_path):
    # the JSON checks raise it ...
    with pytest.raises(AnnotationError, match="entry 3: field 'video'"):
        validate_fgclip_entry({}, 'entry 3')
    # ... and so does the text parser, with the file and line set
    path = write_text(tmp_path, 'ann.txt', 'A.mp4 Abuse 1 x -1 -1\n')
    with pytest.raises(AnnotationError, match='frame number') as info:
        parse_ucf_test_annotations(path)
    assert info.value.lineno == 1 and f'{path}:1' in str(info.value)
    # survives pickling (dataloader workers)
    err = pickle.loads(pickle.dumps(info.value))
    assert type(err) is AnnotationError and str(err) == str(info.value)


def test_utf8_bom_and_crlf_are_read(tmp_path):
    path = write_text(
        tmp_path, 'l.csv', '\ufeffvideo,len\r\na.mp4,16\r\n', newline=''
    )
    assert read_lengths(path) == {'a': 16}
    path = write_text(tmp_path, 'a.json', '\ufeff[{"video": "x.mp4"}]')
    assert load_json_entries(path) == [{'video': 'x.mp4'}]


def test_non_utf8_json_names_the_file(tmp_path):
    path = tmp_path / 'a.json'
    path.write_bytes(b'[{"video": "\xff.mp4"}]')
    with pytest.raises(AnnotationError, match=r'a\.json:1: not UTF-8'):
        load_json_entries(str(path))


def test_errors_carry_a_reason_code_through_pickling():
    from fgclip_mm.annotations import REASON_CODES

    with pytest.raises(AnnotationError, match='entry 3') as info:
        validate_fgclip_entry(
            dict(
                video='a.mp4',
                global_caption='g',
                region_captions=['r'],
                box_infos=[[dict(frame=1, bbox=[0, 0, 1, 1])], []],
            ),
            'entry 3',
        )
    assert (
        info.value.code == 'count_mismatch' and info.value.code in REASON_CODES
    )
    err = pickle.loads(pickle.dumps(info.value))
    assert err.code == 'count_mismatch' and str(err) == str(info.value)
    err = pickle.loads(pickle.dumps(AnnotationError('f', 2, 'bad')))
    assert (err.path, err.lineno, err.code) == ('f', 2, None)
    with pytest.raises(ValueError, match="unknown reason code 'oops'"):
        AnnotationError('x', code='oops')
