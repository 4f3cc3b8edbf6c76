"""The real-world oddities of annotation files, one explicit test each: a
BOM, CRLF and CR line ends, trailing blank lines, tabs, duplicates, bytes
that are not UTF-8, UTF-16, gzip (issue 13.3)."""

import gzip

import pytest

from fgclip_mm.annotations import (
    AnnotationError,
    load_json_entries,
    load_video_names,
    parse_msad_annotations,
    parse_shanghaitech_split,
    parse_ucf_crime_annotations,
    parse_xd_violence_annotations,
    read_lengths,
    read_msad_split,
    read_video_list,
)

MSAD_HEADER = (
    'name,scenario,total frames,starting frame of anomaly,'
    'ending frame of anomaly'
)
#: Every reader with lines of a valid file it reads.
READERS = {
    'ucf': (
        parse_ucf_crime_annotations,
        [
            'Abuse028_x264.mp4  Abuse  165  240  -1  -1',
            'Normal_Videos_003_x264.mp4  Normal  -1  -1  -1  -1',
        ],
    ),
    'xd': (
        parse_xd_violence_annotations,
        ['v=S-7rRLrxnVQ__#1_label_B4-0-0 0 1517 1970 3038', 'b_label_G 5 9'],
    ),
    'shanghaitech': (parse_shanghaitech_split, ['01_0014,1,265', '05_0018,0']),
    'msad': (
        parse_msad_annotations,
        [MSAD_HEADER, 'Assault_1,shop,426,55,426', 'Fire_2,park,200,,'],
    ),
    'msad_split': (read_msad_split, ['/x/Fire_2_i3d.npy', 'Assault_1.mp4']),
    'lengths': (read_lengths, ['video,length', 'a.mp4,16', 'b.mp4,32']),
    'list': (read_video_list, ['Abuse028_x264.mp4', 'Arson011_x264.mp4']),
    'names': (load_video_names, ['video', 'a.mp4,16', 'b.mp4,32']),
    'json': (
        load_json_entries,
        ['[{"video": "a.mp4",', '"global_caption": "g"}]'],
    ),
}


def _write(tmp_path, data: bytes, name: str = 'ann.txt') -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _read(tmp_path, reader: str, text: str, name: str = 'ann.txt'):
    parse, _ = READERS[reader]
    return parse(_write(tmp_path, text.encode('utf-8'), name))


def _plain(reader: str) -> str:
    return '\n'.join(READERS[reader][1]) + '\n'


@pytest.mark.parametrize('reader', sorted(READERS))
def test_bom_crlf_cr_and_trailing_blank_lines_read_as_plain(tmp_path, reader):
    expected = _read(tmp_path, reader, _plain(reader))
    assert expected  # the reference file holds records
    lines = READERS[reader][1]
    variants = {
        'bom': '\ufeff' + _plain(reader),
        'crlf': '\r\n'.join(lines) + '\r\n',
        'cr': '\r'.join(lines) + '\r',
        'no final newline': '\n'.join(lines),
        'trailing blank lines': _plain(reader) + '\n  \n\t\n\r\n',
    }
    for what, text in variants.items():
        assert _read(tmp_path, reader, text) == expected, what


@pytest.mark.parametrize('reader', sorted(READERS))
def test_gzip_is_found_by_its_content(tmp_path, reader):
    parse, _ = READERS[reader]
    expected = _read(tmp_path, reader, _plain(reader))
    data = gzip.compress(('\ufeff' + _plain(reader)).encode(), mtime=0)
    suffix = '.json' if reader == 'json' else '.txt'
    for name in ('ann' + suffix + '.gz', 'ann' + suffix):
        assert parse(_write(tmp_path, data, name)) == expected, name
    # a truncated download, and a .gz name on plain text: named errors
    path = _write(tmp_path, data[:-12], 'ann' + suffix + '.gz')
    with pytest.raises(AnnotationError, match='not a readable gzip file'):
        parse(path)
    path = _write(tmp_path, _plain(reader).encode(), 'ann' + suffix + '.gz')
    with pytest.raises(AnnotationError, match='named .gz but not gzip'):
        parse(path)


@pytest.mark.parametrize('reader', sorted(READERS))
def test_non_utf8_bytes_name_the_file_line_and_column(tmp_path, reader):
    parse, lines = READERS[reader]
    # a Latin-1 'é' in the second line's first field
    data = '\n'.join(lines).encode().replace(b'\n', b'\n\xe9', 1)
    path = _write(tmp_path, data)
    with pytest.raises(
        AnnotationError,
        match=f'^{path}:2: not UTF-8 text: byte 0xe9 at column 1 '
        r'\(save the file as UTF-8\)',
    ) as info:
        parse(path)
    assert (info.value.path, info.value.lineno) == (path, 2)
    # Windows' "Unicode" (UTF-16) is named as such
    path = _write(tmp_path, _plain(reader).encode('utf-16'))
    with pytest.raises(AnnotationError, match=f'^{path}:1: UTF-16 text'):
        parse(path)


def test_lines_are_counted_across_cr_and_crlf_line_ends(tmp_path):
    path = _write(tmp_path, b'a.mp4 A 1 2 -1 -1\rb.mp4 A 1 2\r\n\nc.mp4 A 1 x')
    with pytest.raises(AnnotationError, match=r'ann\.txt:4: frame number'):
        parse_ucf_crime_annotations(path)


@pytest.mark.parametrize(
    'reader,text',
    [
        ('ucf', 'Abuse028_x264\tAbuse\t165\t240\t-1\t-1\n'),
        ('ucf', 'Abuse028_x264 \t Abuse 165\t\t240 -1 -1\n'),
        ('xd', 'v=S-7rRLrxnVQ__#1_label_B4-0-0\t0\t1517\n'),
        ('shanghaitech', '01_0014,\t1,\t265\n'),
        (
            'msad',
            MSAD_HEADER.replace(',', '\t') + '\nAssault_1\tshop\t9\t5\t9',
        ),
        ('lengths', 'a.mp4\t16\n'),
        ('names', 'a.mp4\t16\n'),
    ],
)
def test_tabs_separate_fields(tmp_path, reader, text):
    plain = text.replace('\t', ',' if reader == 'msad' else ' ')
    spaces = _read(tmp_path, reader, plain)
    assert _read(tmp_path, reader, text) == spaces
    assert spaces


@pytest.mark.parametrize(
    'reader,text,match',
    [
        (
            'ucf',
            'a.mp4 Abuse 1 2 -1 -1\n\nb.mp4 Normal -1 -1\na Abuse 5 6 -1 -1',
            r":4: video 'a' is annotated twice \(first on line 1\)",
        ),
        (
            'xd',
            'x_label_B1 1 2\nx_label_B1.mp4 3 4',
            r":2: video 'x_label_B1' is annotated twice \(first on line 1\)",
        ),
        (
            'shanghaitech',
            '01_0014,1\n01_0014.avi,1,265',
            r":2: video '01_0014' is listed twice \(first on line 1\)",
        ),
        (
            'lengths',
            'video,n\na,1\nx/a.mp4,2',
            r":3: video 'a' is listed twice \(first on line 2\)",
        ),
        (
            'list',
            'a\nb\n/clips/a.mp4',
            r":3: video 'a' already listed on line 1",
        ),
        (
            'msad_split',
            'Fire_2.mp4\n/y/Fire_2_i3d.npy',
            r":2: video 'Fire_2' already listed on line 1",
        ),
        (
            'msad',
            f'{MSAD_HEADER}\nFire_1,a,90,5,9\nFire_1,a,90,5,9',
            r":3: row repeats line 2: video 'Fire_1', event \[\(5, 9\)\]",
        ),
        (
            'msad',
            f'{MSAD_HEADER}\nFire_1,a,90,5,9\nFire_1,a,91,20,29',
            r":3: video 'Fire_1' has 91 frames here but 90 on line 2",
        ),
    ],
)
def test_duplicates_are_errors_naming_both_lines(
    tmp_path, reader, text, match
):
    with pytest.raises(AnnotationError, match=r'ann\.txt' + match):
        _read(tmp_path, reader, text)


@pytest.mark.parametrize(
    'token,match',
    [
        (
            '\u0661\u0662',
            "frame number must be an integer, got '\u0661\u0662'",
        ),
        ('1_000', "frame number must be an integer, got '1_000'"),
        ('12.0', "frame number must be an integer, got '12.0'"),
        (
            '9223372036854775808',
            r'frame number 9223372036854775808 is out of range',
        ),
    ],
)
def test_numbers_python_would_bend_are_refused(tmp_path, token, match):
    with pytest.raises(AnnotationError, match=r'ann\.txt:1: ' + match):
        _read(tmp_path, 'ucf', f'a.mp4 Abuse 1 {token} -1 -1\n')


def test_a_name_without_a_video_is_refused(tmp_path):
    with pytest.raises(AnnotationError, match=r":1: 'clips/' names no video"):
        _read(tmp_path, 'ucf', 'clips/ Abuse 1 2 -1 -1\n')
    with pytest.raises(AnnotationError, match=r":2: 'x/' names no video"):
        _read(tmp_path, 'lengths', 'a,1\nx/,2\n')


def test_json_errors_name_the_line_and_odd_json_is_refused(tmp_path):
    path = _write(
        tmp_path, b'[\n{"video": "a.mp4"},\n{"video": }\n]', 'a.json'
    )
    with pytest.raises(AnnotationError, match=r'a\.json:3: not valid JSON'):
        load_json_entries(path)
    path = _write(tmp_path, b'[' * 100000, 'a.json')
    with pytest.raises(AnnotationError, match='JSON nested too deeply'):
        load_json_entries(path)
    # integers past int64 become floats and fail the integer checks later;
    # past Python's 4300-digit limit they no longer raise a ValueError
    text = '[{"frame": %d, "n": %s}]' % (10**30, '7' * 5000)
    path = _write(tmp_path, text.encode(), 'a.json')
    (entry,) = load_json_entries(path)
    assert entry['frame'] == 1e30 and entry['n'] == float('inf')
    # a JSON exclude list entry without a video name is named
    path = _write(tmp_path, b'[{"video": "a.mp4"}, {"name": 1}]', 'x.json')
    with pytest.raises(AnnotationError, match=r'x\.json: entry 1: expected'):
        load_video_names(path)
