"""Hypothesis strategies and checks shared by the annotation fuzz tests.

A generated file is either arbitrary bytes or lines built from tokens that
real annotation files hold (names, frame numbers, separators) and the ones
that break naive parsers (odd digits, huge numbers, Unicode blanks, bytes
that are not UTF-8, BOMs, ``\\r`` line ends, broken gzip streams). FG-CLIP
JSON entries are well-formed, broken in one field, or any JSON value.
"""

import gzip
import os
import os.path as osp
import re
from typing import Callable, Optional, Sequence

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fgclip_mm.annotations import MAX_INT, AnnotationError

#: Budget of every property test: deterministic (CI reruns find the same
#: examples), no per-example deadline on a loaded 2-core machine. A longer,
#: random hunt: ``FGCLIP_FUZZ_EXAMPLES=5000 pytest tests/annotations -k
#: fuzz``.
_HUNT = int(os.environ.get('FGCLIP_FUZZ_EXAMPLES', '0'))
FUZZ = settings(
    max_examples=_HUNT or 150,
    deadline=None,
    derandomize=not _HUNT,
    database=None,  # no .hypothesis/ folder in the checkout
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        # tmp_path is shared by the examples: each rewrites its file
        HealthCheck.function_scoped_fixture,
    ],
)

NAMES = [
    'Abuse028_x264.mp4',
    'Normal_Videos_003_x264',
    'Arson011_x264.mp4',
    'v=S-7rRLrxnVQ__#1_label_B4-0-0',
    'Bad.Boys.1995__#01-11-55_01-12-40_label_A',
    'Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-0',
    '01_0014',
    'Assault_1',
    'Fire_2',
    'MSAD_normal_testing_4',
    '/x/abnormal/Fire_2_i3d.npy',
    'a/b/clip.avi',
    'clips/',
    '.mp4',
    'video',
    'name',
    '#',
    'Abuse',
    'Normal',
]
NUMBERS = [
    '-1',
    '0',
    '1',
    '2',
    '15',
    '165',
    '240',
    '1267',
    str(MAX_INT),
    str(MAX_INT + 1),
    '-' + str(MAX_INT + 1),
    '9' * 40,
    '1' * 5000,
    '\u0661\u0662',  # Arabic-Indic digits: int() would accept them
    '\u00b2',  # superscript two: str.isdigit() is True
    '1_000',
    '1.5',
    '55.0',
    '1e3',
    '+3',
    '-0',
    '007',
    'nan',
    'inf',
    '0x10',
]
SEPARATORS = [
    ' ',
    '  ',
    '\t',
    ',',
    ', ',
    '\xa0',
    '\x0b',
    '\x1c',
    '\x85',
    '\u2028',
    '\u3000',
    '\x00',
]
LINE_ENDS = ['\n', '\r\n', '\r', '\n\n', '\n \t\n']
RAW_BYTES = [b'\xff', b'\xc3', b'\xe9', b'\x80\x80', b'\xed\xa0\x80']


# FG-CLIP JSON values and entries.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-5, 5000),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(NAMES),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=12,
)
ODD_NUMBERS = st.sampled_from(
    [-1, 2, 1e300, 2**63, 2**64, -0.0, 0.5, float('nan'), float('inf'), True]
)
BOXES = st.lists(st.floats(-0.005, 1.005), min_size=4, max_size=4).map(
    lambda b: [
        min(b[0], b[2]),
        min(b[1], b[3]),
        max(b[0], b[2]),
        max(b[1], b[3]),
    ]
)


@st.composite
def clean_entries(draw) -> dict:
    """A well-formed FG-CLIP entry (boxes may stick out by the clamping
    tolerance)."""
    regions = [
        [dict(frame=f, bbox=draw(BOXES)) for f in frames]
        for frames in draw(
            st.lists(
                st.lists(st.integers(0, 500), unique=True, max_size=3),
                max_size=3,
            )
        )
    ]
    start = draw(st.floats(0, 100))
    return dict(
        video=draw(st.sampled_from(NAMES)),
        global_caption=draw(st.text(min_size=1, max_size=8).filter(str.strip)),
        region_captions=['a region'] * len(regions),
        box_infos=regions,
        timestamps=draw(
            st.sampled_from([None, [start, start + 1.5], [0, 2 * start + 1]])
        ),
    )


#: Where :func:`broken_entries` breaks an entry.
FIELDS = [
    'video',
    'global_caption',
    'short_caption',
    'region_captions',
    'box_infos',
    'timestamps',
    'frame',
    'bbox',
    'coordinate',
]


@st.composite
def broken_entries(draw) -> dict:
    """A well-formed entry with one field replaced by an odd value."""
    entry = draw(clean_entries())
    field = draw(st.sampled_from(FIELDS))
    odd = draw(st.one_of(JSON_VALUES, ODD_NUMBERS))
    keyframes = [kf for region in entry['box_infos'] for kf in region]
    if field in FIELDS[:6]:
        if draw(st.booleans()):
            entry[field] = odd
        else:
            entry.pop(field, None)
    elif keyframes:
        kf = draw(st.sampled_from(keyframes))
        if field == 'coordinate':
            kf['bbox'][draw(st.integers(0, 3))] = draw(ODD_NUMBERS)
        else:
            kf[field] = odd
    return entry


ENTRIES = st.one_of(clean_entries(), broken_entries(), JSON_VALUES)


def tokens(extra: Sequence[str] = ()) -> st.SearchStrategy:
    """One field of a line: mostly a plausible one, sometimes an odd one."""
    return st.one_of(
        st.sampled_from(NAMES + NUMBERS + list(extra)),
        st.integers(-3, 2000).map(str),
        st.text(max_size=6),
    )


def numbers() -> st.SearchStrategy:
    """A frame number field: mostly a small integer."""
    return st.one_of(
        st.integers(-1, 400).map(str),
        st.integers(-1, 400).map(str),
        st.sampled_from(NUMBERS),
    )


@st.composite
def lines(
    draw,
    names: Sequence[str] = NAMES,
    classes: Sequence[str] = (),
    seps: Sequence[str] = (' ', '\t', '  '),
    extra: Sequence[str] = (),
) -> str:
    """One line: ``name [class] numbers...``, clean (half the lines), or
    with a drawn separator, an odd field or free fields."""
    mode = draw(st.sampled_from(['clean'] * 5 + ['messy'] * 3 + ['free'] * 2))
    sep = draw(st.sampled_from(list(seps)))
    if mode != 'clean' and draw(st.booleans()):
        sep = draw(st.sampled_from(SEPARATORS))
    if mode == 'free':
        return sep.join(draw(st.lists(tokens(extra), max_size=8)))
    fields = [draw(st.sampled_from(list(names)))]
    if classes:
        fields.append(draw(st.sampled_from(list(classes))))
    if mode == 'messy' and draw(st.booleans()):
        fields += draw(st.lists(numbers(), max_size=7))
    else:  # well-formed events, then maybe a frame count
        for start, length in draw(
            st.lists(
                st.tuples(st.integers(-1, 300), st.integers(1, 99)),
                min_size=1,
                max_size=3,
            )
        ):
            fields += ['-1', '-1'] if start < 0 else [start, start + length]
        if draw(st.booleans()):
            fields.append(draw(st.integers(400, 500)))
        fields = [str(f) for f in fields]
    if mode == 'messy':
        at = draw(st.integers(0, len(fields)))
        fields.insert(at, draw(tokens(extra)))
    return sep.join(fields)


@st.composite
def text_files(
    draw,
    line: Optional[st.SearchStrategy] = None,
    header: Optional[str] = None,
) -> str:
    """Lines joined by drawn line ends (the first a ``header`` when given
    and drawn)."""
    body = draw(
        st.lists(
            st.tuples(
                line if line is not None else lines(),
                st.sampled_from(['\n'] * 4 + LINE_ENDS),
            ),
            min_size=1,
            max_size=6,
        )
    )
    text = ''.join(fields + end for fields, end in body)
    if header is not None and draw(st.integers(0, 3)) > 0:
        text = header + draw(st.sampled_from(LINE_ENDS)) + text
    return text


@st.composite
def file_bytes(draw, texts: st.SearchStrategy, suffix: str) -> bytes:
    """Encoded text, sometimes with a BOM or foreign bytes, gzipped (mostly
    when ``suffix`` ends in ``.gz``, sometimes truncated), or arbitrary
    bytes."""
    if draw(st.integers(0, 7)) == 0:
        return draw(st.binary(max_size=200))
    data = draw(texts).encode('utf-8')
    if draw(st.integers(0, 3)) == 0:
        data = b'\xef\xbb\xbf' + data
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(RAW_BYTES)) + data[at:]
    if draw(st.integers(0, 9)) < (8 if suffix.endswith('.gz') else 1):
        data = gzip.compress(data, mtime=0)
        if draw(st.integers(0, 5)) == 0:
            data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def files(draw, texts: st.SearchStrategy, suffixes: Sequence[str]):
    """``(suffix, data)`` of a file drawn by :func:`file_bytes`."""
    suffix = draw(st.sampled_from(list(suffixes)))
    return suffix, draw(file_bytes(texts, suffix))


def write(folder, file) -> str:
    """Write a drawn ``(suffix, data)`` to ``folder/ann{suffix}``
    (replacing it)."""
    suffix, data = file
    path = osp.join(str(folder), 'ann' + suffix)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def parse_or_named_error(
    parse: Callable[[str], object], path: str
) -> Optional[object]:
    """``parse(path)``; None when it raised an :class:`AnnotationError`
    that names the file (and a line of it, when it names one). Any other
    exception propagates and fails the test."""
    try:
        return parse(path)
    except AnnotationError as e:
        check_names_file(e, path)
        return None


def check_names_file(error: AnnotationError, path: str) -> None:
    """The message starts with the file, then ``:LINE`` or ``: entry``."""
    msg = str(error)
    assert msg.startswith(path), msg
    rest = msg[len(path) :]
    assert re.match(r'(:\d+)?: \S', rest), msg
    if error.lineno is not None:
        assert rest.startswith(f':{error.lineno}: '), msg
        assert error.path == path
        assert 1 <= error.lineno <= _count_lines(path) + 1, msg


def _count_lines(path: str) -> int:
    with open(path, 'rb') as f:
        data = f.read()
    if data.startswith(b'\x1f\x8b'):
        try:
            data = gzip.decompress(data)
        except Exception:  # broken stream: the error names no line
            return 0
    return len(data.replace(b'\r\n', b'\n').replace(b'\r', b'\n').split(b'\n'))


def is_frame_number(value) -> bool:
    """An int that fits int64 (not a bool)."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and -MAX_INT <= value <= MAX_INT
    )


def check_video_id(video) -> None:
    """A non-empty id without folders or line breaks."""
    assert isinstance(video, str) and video.strip(), video
    assert '/' not in video and '\n' not in video and '\r' not in video
