"""TimestampSegmentDataset on a merged UCF-Crime + MSAD training file
(issue 11): path_map, class_sources, invalid_entries and report_file."""

import json

import pytest

from fgclip_mm.annotations import UCF_MSAD_CLASSES, AnnotationError
from fgclip_mm.datasets import TimestampSegmentDataset

from ._merged_files import (
    CLASS_SOURCES,
    PATH_MAP,
    clean_entries,
    mixed_entries,
    touch_videos,
    write_json,
)


def build(ann_file, root, **kwargs):
    return TimestampSegmentDataset(
        ann_file=ann_file,
        pipeline=[],
        data_prefix=dict(video=root),
        path_map=PATH_MAP,
        class_sources=CLASS_SOURCES,
        metainfo=dict(classes=UCF_MSAD_CLASSES),
        **kwargs,
    )


def test_skip_loads_the_usable_entries_and_writes_the_report(tmp_path):
    entries, clean_idx, bad = mixed_entries()
    root = str(tmp_path / 'videos')
    touch_videos(root, [entries[i] for i in clean_idx])
    ann = write_json(str(tmp_path / 'merged.json'), entries)
    report = str(tmp_path / 'work' / 'invalid_entries.json')
    ds = build(ann, root, invalid_entries='skip', report_file=report)
    assert [d['ann_index'] for d in ds] == clean_idx
    assert all(
        d['filename'].startswith((f'{root}/ucf/', f'{root}/msad/')) for d in ds
    )
    assert ds.summary['num_invalid_skipped'] == len(bad)
    assert ds.summary['invalid_by_reason']['count_mismatch'] == 3
    assert ds.summary['entries_by_source'] == {'ucf_crime': 5, 'msad': 3}
    assert ds.summary['label_counts']['RoadAccidents'] == 2
    data = json.load(open(report))
    assert data['ann_file'] == ann and data['invalid_entries'] == 'skip'
    assert [(i['index'], i['reason']) for i in data['issues']] == [
        (i, r) for i, r, _ in bad
    ]


def test_error_is_the_default_and_test_mode_never_skips(tmp_path):
    entries, _, _ = mixed_entries()
    ann = write_json(str(tmp_path / 'merged.json'), entries)
    with pytest.raises(
        AnnotationError,
        match=r'merged.json: entry 0 .*3 '
        "regions in 'box_infos' but 2 'region_captions'",
    ):
        build(ann, str(tmp_path), check_files=False)
    for policy in ('skip', 'repair'):
        with pytest.raises(
            ValueError,
            match=f"invalid_entries='{policy}' is refused in test mode",
        ):
            build(ann, str(tmp_path), invalid_entries=policy, test_mode=True)
    with pytest.raises(ValueError, match='invalid_entries must be one of'):
        build(ann, str(tmp_path), invalid_entries='ignore')


def test_an_unmapped_prefix_names_the_entry(tmp_path):
    entries = clean_entries()
    entries[3]['video'] = '/data/local-files/?d=OTHER/Fire/Fire_1.mp4'
    ann = write_json(str(tmp_path / 'merged.json'), entries)
    with pytest.raises(
        AnnotationError,
        match=r'merged.json: entry 3 '
        r'\(/data/local-files/\?d=OTHER/Fire/Fire_1.mp4\): '
        r".*'OTHER/Fire/', which no prefix of path_map",
    ):
        build(ann, str(tmp_path), check_files=False, invalid_entries='skip')
