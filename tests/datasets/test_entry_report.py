import csv
import json

from fgclip_mm.datasets.entry_report import (
    ISSUE_FIELDS,
    summarize_issues,
    write_entry_report,
)

ISSUES = [
    dict(
        index=3,
        video='a.mp4',
        reason='count_mismatch',
        action='repaired',
        message='kept 2',
    ),
    dict(
        index=5,
        video='b.mp4',
        reason='unknown_class',
        action='skipped',
        message='class Fire',
    ),
    dict(
        index=9,
        video='',
        reason='count_mismatch',
        action='skipped',
        message='no prefix',
    ),
    dict(
        index=11,
        video='c.mp4',
        reason='count_mismatch',
        action='skipped',
        message='x',
    ),
]


def test_counts_by_reason_and_one_line_of_text():
    s = summarize_issues(ISSUES, max_listed=2)
    assert s['skipped_by_reason'] == {'count_mismatch': 2, 'unknown_class': 1}
    assert list(s['skipped_by_reason']) == ['count_mismatch', 'unknown_class']
    assert s['repaired_by_reason'] == {'count_mismatch': 1}
    assert (s['num_skipped'], s['num_repaired']) == (3, 1)
    assert s['text'].startswith(
        'skipped 3 entries (count_mismatch=2, '
        'unknown_class=1), repaired 1; entry 3 '
        '(a.mp4): count_mismatch repaired'
    )
    assert s['text'].endswith(' ...')
    assert summarize_issues([])['text'] == 'skipped 0 entries, repaired 0'


def test_json_and_csv_reports_list_every_entry(tmp_path):
    path = write_entry_report(
        str(tmp_path / 'sub' / 'r.json'), ISSUES, dict(ann_file='x.json')
    )
    report = json.load(open(path))
    assert report['ann_file'] == 'x.json'
    assert report['skipped_by_reason'] == {
        'count_mismatch': 2,
        'unknown_class': 1,
    }
    assert report['issues'] == ISSUES
    path = write_entry_report(str(tmp_path / 'r.csv'), ISSUES)
    rows = list(csv.DictReader(open(path)))
    assert tuple(rows[0]) == ISSUE_FIELDS
    assert [(r['index'], r['reason']) for r in rows] == [
        (str(i['index']), i['reason']) for i in ISSUES
    ]
