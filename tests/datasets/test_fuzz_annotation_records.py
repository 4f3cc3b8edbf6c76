"""FG-CLIP JSON files of arbitrary entries -> dataset records: valid records
or an :class:`AnnotationError` naming the file and the entry, in training
and in test mode, under every ``invalid_entries`` policy (issue 13.3)."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fgclip_mm.annotations import UCF_CRIME_CLASSES, AnnotationError
from fgclip_mm.datasets.annotation_records import RecordBuilder
from fgclip_mm.datasets.class_resolver import ClassResolver
from fgclip_mm.datasets.video_paths import VideoPathResolver

from ..annotations._fuzz import ENTRIES, FUZZ, JSON_VALUES
from ._helpers import REAL_JSON

CLASSES = ('Normal', 'Abuse', 'Arson')
TEST_FIELDS = st.fixed_dictionaries(
    {},
    optional=dict(
        anomaly_intervals=st.one_of(
            st.lists(
                st.lists(st.integers(-1, 2**64), min_size=2, max_size=2),
                max_size=2,
            ),
            JSON_VALUES,
        ),
        total_frames=st.one_of(st.integers(-1, 2**64), JSON_VALUES),
    ),
)


@FUZZ
@given(
    entries=st.lists(st.tuples(ENTRIES, TEST_FIELDS), max_size=4),
    mode=st.sampled_from(
        [('error', False), ('skip', False), ('repair', False), ('error', True)]
    ),
)
def test_json_records_are_valid_or_name_the_entry(tmp_path, entries, mode):
    policy, test_mode = mode
    raw = [
        dict(e, **extra) if isinstance(e, dict) else e for e, extra in entries
    ]
    path = tmp_path / 'ann.json'
    path.write_text(json.dumps(raw))
    builder = RecordBuilder(
        ClassResolver(CLASSES),
        VideoPathResolver('/v', check_files=False),
        caption_template='a video of {class_name}',
        invalid_entries=policy,
    )
    try:
        records = builder.from_json(str(path), test_mode=test_mode)
    except AnnotationError as e:
        assert str(e).startswith(f'{path}: entry '), str(e)
        return
    # every entry is a record or counted as skipped, never dropped silently
    skipped = sum(i['action'] == 'skipped' for i in builder.issues)
    assert len(records) + skipped == len(raw)
    for rec in records:
        assert rec['class_name'] == CLASSES[rec['label']]
        assert rec['is_anomaly'] == (rec['label'] != 0)
        assert rec['filename'].startswith('/v/')
        if test_mode:
            iv = rec['anomaly_intervals']
            assert iv.dtype == np.int64 and iv.shape[1:] == (2,)
            assert (iv[:, 0] >= 0).all() and (iv[:, 0] < iv[:, 1]).all()
            assert rec['total_frames'] is None or rec['total_frames'] > 0


def _builder(policy='error'):
    return RecordBuilder(
        ClassResolver(CLASSES),
        VideoPathResolver('/v', check_files=False),
        invalid_entries=policy,
    )


def test_real_json_repeats_five_entries_counted_never_silently():
    # the FG-CLIP training JSON holds 5 normal entries twice, verbatim
    b = RecordBuilder(
        ClassResolver(UCF_CRIME_CLASSES),
        VideoPathResolver('/v', check_files=False),
    )
    assert len(b.from_json(REAL_JSON)) == 1559  # kept under 'error' ...
    assert b.stats['num_duplicate_entries'] == 5  # ... and counted
    assert b.duplicates[0].startswith(
        f'{REAL_JSON}: entry 391: repeats entry 390 exactly'
    )
    b = RecordBuilder(
        ClassResolver(UCF_CRIME_CLASSES),
        VideoPathResolver('/v', check_files=False),
        duplicate_entries='skip',
    )
    assert len(b.from_json(REAL_JSON)) == 1554
    assert b.stats['invalid_by_reason'] == {'duplicate_entry': 5}
    assert [i['index'] for i in b.issues] == [391, 397, 802, 1473, 1544]
    b = RecordBuilder(
        ClassResolver(UCF_CRIME_CLASSES),
        VideoPathResolver('/v', check_files=False),
        duplicate_entries='error',
        invalid_entries='skip',  # a refused duplicate is not skipped
    )
    with pytest.raises(AnnotationError, match=r'entry 391: repeats entry 390'):
        b.from_json(REAL_JSON)


def test_same_video_in_several_training_entries_is_not_a_duplicate(tmp_path):
    # the training JSON cuts one video into segments: each is an entry
    entry = dict(video='Abuse/a.mp4', global_caption='g')
    path = tmp_path / 'a.json'
    path.write_text(
        json.dumps(
            [dict(entry, timestamps=[0, 5]), dict(entry, timestamps=[5, 9])]
        )
    )
    b = _builder()
    assert len(b.from_json(str(path))) == 2 and not b.duplicates


def test_a_test_video_twice_is_an_error_naming_both_entries(tmp_path):
    entry = dict(video='Abuse/a.mp4', anomaly_intervals=[[1, 5]])
    path = tmp_path / 'a.json'
    path.write_text(
        json.dumps(
            [
                entry,
                dict(video='Normal/b.mp4'),
                dict(entry, video='Abuse/x/a.avi'),
            ]
        )
    )
    with pytest.raises(
        AnnotationError,
        match=r"a\.json: entry 2: video 'a' is also entry 0; a test video is "
        'scored once',
    ) as info:
        _builder().from_json(str(path), test_mode=True)
    assert info.value.code == 'duplicate_video'
