"""Well-formed generated files parse to exactly what was written, whatever
the separators, line ends, BOM or compression (issue 13.3)."""

import gzip
import json

from hypothesis import given
from hypothesis import strategies as st

from fgclip_mm.annotations import (
    format_ucf_line,
    load_json_entries,
    parse_msad_annotations,
    parse_shanghaitech_split,
    parse_ucf_crime_annotations,
    parse_xd_violence_annotations,
    read_lengths,
    read_video_list,
    validate_fgclip_entry,
    video_stem,
)

from ._fuzz import FUZZ, clean_entries, write

#: Video names as the benchmarks write them (with XD's dots and ``#``).
STEMS = st.from_regex(r'[A-Za-z0-9][A-Za-z0-9_=#.-]{0,15}', fullmatch=True)
EXTENSIONS = st.sampled_from(['', '.mp4', '.avi', '.MP4'])
BLANKS = st.sampled_from([' ', '  ', '\t', ' \t '])
LINE_ENDS = st.sampled_from(['\n', '\r\n', '\r'])


@st.composite
def videos(draw) -> list:
    """File names whose video ids differ."""
    stems = draw(
        st.lists(STEMS, max_size=5, unique_by=lambda s: video_stem(s).lower())
    )
    return [stem + draw(EXTENSIONS) for stem in stems]


@st.composite
def events(draw, num_frames=None) -> list:
    """Half-open ``(start, end)`` events, starting before ``num_frames``."""
    top = (num_frames or 10**6) - 1
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, top), st.integers(1, 10**5)), max_size=3
        )
    )
    return [(s, s + d) for s, d in pairs]


@st.composite
def file_of(draw, lines: list, suffix: str) -> tuple:
    """``(suffix, data)``: the lines with drawn line ends, maybe a BOM,
    trailing blank lines and gzip."""
    end = draw(LINE_ENDS)
    text = ''.join(line + end for line in lines)
    text += draw(st.sampled_from(['', end, end * 2 + '  ' + end]))
    data = text.encode()
    if draw(st.booleans()):
        data = b'\xef\xbb\xbf' + data
    if draw(st.booleans()):
        return suffix + '.gz', gzip.compress(data, mtime=0)
    return suffix, data


def _respace(line: str, blank: str) -> str:
    return blank.join(line.split())


@FUZZ
@given(data=st.data(), names=videos(), blank=BLANKS)
def test_ucf_lines_round_trip(tmp_path, data, names, blank):
    written = {}
    lines = []
    for name in names:
        total = data.draw(st.one_of(st.none(), st.integers(1, 10**7)))
        intervals = data.draw(events(total))
        cls = data.draw(st.sampled_from(['Abuse', 'Normal', 'Road_Accidents']))
        lines.append(
            _respace(format_ucf_line(name, cls, intervals, total), blank)
        )
        written[video_stem(name)] = dict(
            class_name=cls, intervals=intervals, num_frames=total
        )
    path = write(tmp_path, data.draw(file_of(lines, '.txt')))
    assert parse_ucf_crime_annotations(path, max_events=None) == written


@FUZZ
@given(data=st.data(), names=videos(), blank=BLANKS)
def test_xd_violence_lines_round_trip(tmp_path, data, names, blank):
    written = {}
    for name in names:
        name = name.replace('.', '_') + '_label_B1-0-0'
        written[video_stem(name)] = data.draw(events().filter(bool))
    lines = [
        blank.join([name] + [str(v) for iv in ivs for v in iv])
        for name, ivs in written.items()
    ]
    path = write(tmp_path, data.draw(file_of(lines, '.txt')))
    assert parse_xd_violence_annotations(path) == written


@FUZZ
@given(data=st.data(), names=videos())
def test_shanghaitech_split_round_trips(tmp_path, data, names):
    rows = [
        (
            video_stem(n),
            data.draw(st.booleans()),
            data.draw(st.sampled_from([None, -1, 1, 265])),
            n,
        )
        for n in names
    ]
    lines = [
        f'{n},{int(a)}' + ('' if f is None else f',{f}') for _, a, f, n in rows
    ]
    path = write(tmp_path, data.draw(file_of(lines, '.txt')))
    assert parse_shanghaitech_split(path) == [
        dict(video=v, is_anomaly=a, num_frames=None if f in (None, -1) else f)
        for v, a, f, _ in rows
    ]


@FUZZ
@given(data=st.data(), names=videos(), sep=st.sampled_from([',', ' ', '\t']))
def test_frame_counts_and_lists_round_trip(tmp_path, data, names, sep):
    counts = [data.draw(st.integers(0, 2**63 - 1)) for _ in names]
    header = ['video' + sep + 'length'] if data.draw(st.booleans()) else []
    lines = header + [f'{n}{sep}{c}' for n, c in zip(names, counts)]
    path = write(tmp_path, data.draw(file_of(lines, '.csv')))
    assert read_lengths(path) == {
        video_stem(n): c for n, c in zip(names, counts)
    }
    path = write(tmp_path, data.draw(file_of(names, '.txt')))
    assert read_video_list(path) == [video_stem(n) for n in names]


@FUZZ
@given(
    data=st.data(),
    numbers=st.lists(st.integers(1, 999), unique=True, max_size=5),
    sep=st.sampled_from([',', '\t']),
)
def test_msad_rows_round_trip(tmp_path, data, numbers, sep):
    names = [f'Fire_{n}' + data.draw(EXTENSIONS) for n in numbers]
    header = [
        'name',
        'scenario',
        'total frames',
        'starting frame of anomaly',
        'ending frame of anomaly',
    ]
    written, lines = {}, [sep.join(header)]
    for name in names:
        total = data.draw(st.integers(1, 10**6))
        start = data.draw(st.integers(0, total - 1))
        end = data.draw(st.integers(start + 1, total))
        lines.append(
            sep.join([name, 'park', str(total), str(start), str(end)])
        )
        written[video_stem(name)] = dict(
            class_name='Fire',
            intervals=[(start, end)],
            num_frames=total,
            scenario='park',
        )
    path = write(tmp_path, data.draw(file_of(lines, '.csv')))
    assert parse_msad_annotations(path) == written


@FUZZ
@given(
    data=st.data(),
    entries=st.lists(clean_entries(), max_size=4),
    wrap=st.booleans(),
)
def test_json_entries_round_trip_and_validate(tmp_path, data, entries, wrap):
    text = json.dumps({'annotations': entries} if wrap else entries, indent=1)
    path = write(tmp_path, data.draw(file_of(text.splitlines(), '.json')))
    assert load_json_entries(path) == entries
    for i, entry in enumerate(entries):
        out, clamped = validate_fgclip_entry(entry, f'entry {i}')
        for region, checked in zip(entry['box_infos'], out['box_infos']):
            assert [kf['frame'] for kf in checked] == sorted(
                kf['frame'] for kf in region
            )
            expected = sorted(
                ([min(max(v, 0.0), 1.0) for v in kf['bbox']] for kf in region),
                key=lambda b: b,
            )
            assert sorted(kf['bbox'] for kf in checked) == expected
