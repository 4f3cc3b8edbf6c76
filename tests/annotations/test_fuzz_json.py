"""Arbitrary bytes -> FG-CLIP JSON file -> loader, and arbitrary JSON
entries -> validator: valid entries or an :class:`AnnotationError` naming
the file (and line) or the entry, nothing else (issue 13.3)."""

import gzip
import json
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fgclip_mm.annotations import (
    MAX_INT,
    REASON_CODES,
    AnnotationError,
    load_json_entries,
    load_shanghaitech_masks,
    load_video_names,
    validate_fgclip_entry,
)

from ._fuzz import (
    ENTRIES,
    FUZZ,
    RAW_BYTES,
    check_video_id,
    parse_or_named_error,
    write,
)


def _check_entry(entry: dict) -> None:
    """What a validated entry guarantees to the dataset."""
    assert isinstance(entry['video'], str) and entry['video'].strip()
    assert all(isinstance(c, str) for c in entry['region_captions'])
    for region in entry['box_infos']:
        frames = [kf['frame'] for kf in region]
        assert frames == sorted(set(frames))
        for kf in region:
            assert type(kf['frame']) is int and 0 <= kf['frame'] <= MAX_INT
            x1, y1, x2, y2 = kf['bbox']
            assert 0 <= x1 <= x2 <= 1 and 0 <= y1 <= y2 <= 1
    if any(entry['box_infos']) or entry['region_captions']:
        assert not entry['box_infos'] or len(entry['box_infos']) == len(
            entry['region_captions']
        )
    ts = entry['timestamps']
    assert ts is None or (
        all(math.isfinite(t) for t in ts) and 0 <= ts[0] < ts[1]
    )


@FUZZ
@given(entry=ENTRIES, require=st.booleans())
def test_any_entry_validates_or_names_the_entry_and_a_reason(entry, require):
    try:
        out, clamped = validate_fgclip_entry(
            entry, 'a.json: entry 7', require_global_caption=require
        )
    except AnnotationError as e:
        assert str(e).startswith('a.json: entry 7: '), str(e)
        assert e.code in REASON_CODES
        return
    _check_entry(out)
    assert 0 <= clamped <= sum(len(r) for r in out['box_infos'])


@st.composite
def json_files(draw):
    """``(suffix, data)``: a JSON text of entries, often broken."""
    value = draw(st.lists(ENTRIES, max_size=4))
    if draw(st.integers(0, 4)) == 0:
        value = {draw(st.sampled_from(['annotations', 'x'])): value}
    text = json.dumps(value)
    cut = draw(st.integers(0, 6))
    if cut == 0:  # truncated
        text = text[: draw(st.integers(0, len(text)))]
    elif cut == 1:  # an integer past int64, or past Python's 4300 digits
        text = text.replace('0', draw(st.sampled_from(['1' * 25, '7' * 5000])))
    elif cut == 2:
        text = '[' * draw(st.sampled_from([3, 5000, 200000]))
    data = text.encode()
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(RAW_BYTES)) + data[at:]
    suffix = draw(st.sampled_from(['.json', '.json.gz']))
    if draw(st.integers(0, 9)) < (8 if suffix.endswith('.gz') else 1):
        data = gzip.compress(data, mtime=0)
        if draw(st.integers(0, 5)) == 0:
            data = data[: draw(st.integers(0, len(data)))]
    return suffix, data


@FUZZ
@given(file=json_files())
def test_json_files_load_or_name_the_file(tmp_path, file):
    path = write(tmp_path, file)
    entries = parse_or_named_error(load_json_entries, path)
    assert entries is None or isinstance(entries, list)
    for i, raw in enumerate(entries or []):
        try:
            _check_entry(validate_fgclip_entry(raw, f'{path}: entry {i}')[0])
        except AnnotationError as e:
            assert str(e).startswith(f'{path}: entry {i}: ')
    names = parse_or_named_error(load_video_names, path)
    for video in names or ():
        check_video_id(video)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda head, body: head + body,
            st.sampled_from(
                [
                    b'\x93NUMPY\x01\x00v\x00',
                    b"\x93NUMPY\x01\x00F\x00{'descr': '<i8', 'fortran_order'"
                    b": False, 'shape': (4,), }",
                    b'PK\x03\x04',
                ]
            ),
            st.binary(max_size=200),
        ),
    ),
    array=st.sampled_from(
        [None, [0, 1, 1], [0, 2], [], [[0, 1]], [0.0, 1.0], ['1'], True]
    ),
)
def test_frame_masks_load_or_name_the_file(tmp_path, data, array):
    file = tmp_path / 'ann.npy'
    if array is None:
        file.write_bytes(data)
    else:
        np.save(file, np.asarray(array))
    masks = parse_or_named_error(
        lambda _: load_shanghaitech_masks(str(tmp_path), ['ann']), str(file)
    )
    if masks is not None:
        mask = masks['ann']
        assert mask.dtype == np.uint8 and mask.ndim == 1 and mask.size
        assert set(np.unique(mask).tolist()) <= {0, 1}
