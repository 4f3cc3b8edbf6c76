"""The report of the training entries left out or repaired: counts by reason
for the log, and a JSON or CSV file listing each entry."""

import csv
import json
import os
import os.path as osp
from collections import Counter
from typing import List, Optional

__all__ = ['summarize_issues', 'write_entry_report', 'ISSUE_FIELDS']

#: Columns of a CSV report (and keys of each issue of a JSON report).
ISSUE_FIELDS = ('index', 'video', 'reason', 'action', 'message')


def summarize_issues(issues: List[dict], max_listed: int = 5) -> dict:
    """Counts of skipped / repaired entries by reason, and one line of text.

    Args:
        issues (list[dict]): :attr:`RecordBuilder.issues`.
        max_listed (int): Entries named in the text. Defaults to 5.

    Returns:
        dict: ``num_skipped``, ``num_repaired``, ``skipped_by_reason`` and
        ``repaired_by_reason`` (reason -> count, most frequent first) and
        ``text`` (e.g. ``'skipped 3 entries (count_mismatch=2,
        unknown_class=1), repaired 0; entry 4 (a.mp4): count_mismatch;
        ...'``).
    """
    skipped = Counter(i['reason'] for i in issues if i['action'] == 'skipped')
    repaired = Counter(
        i['reason'] for i in issues if i['action'] == 'repaired'
    )
    by_reason = ', '.join(f'{r}={n}' for r, n in skipped.most_common())
    text = (
        f'skipped {sum(skipped.values())} entries'
        + (f' ({by_reason})' if by_reason else '')
        + f', repaired {sum(repaired.values())}'
    )
    listed = [
        f'entry {i["index"]} ({i["video"]}): {i["reason"]} {i["action"]}'
        for i in issues[:max_listed]
    ]
    if listed:
        text += (
            '; '
            + '; '.join(listed)
            + (' ...' if len(issues) > max_listed else '')
        )
    return dict(
        num_skipped=sum(skipped.values()),
        num_repaired=sum(repaired.values()),
        skipped_by_reason=dict(skipped.most_common()),
        repaired_by_reason=dict(repaired.most_common()),
        text=text,
    )


def write_entry_report(
    path: str, issues: List[dict], meta: Optional[dict] = None
) -> str:
    """Write the issues to ``path``: CSV (one row per entry, columns
    :data:`ISSUE_FIELDS`) when it ends in ``.csv``, else JSON
    (``meta``, the counts of :func:`summarize_issues` and ``issues``).

    Args:
        path (str): Report file; its folder is created.
        issues (list[dict]): :attr:`RecordBuilder.issues`.
        meta (dict, optional): Extra JSON fields (annotation file, policy,
            entry counts). Defaults to None.

    Returns:
        str: ``path``.
    """
    folder = osp.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    if path.endswith('.csv'):
        with open(path, 'w', newline='', encoding='utf-8') as f:
            writer = csv.DictWriter(f, fieldnames=ISSUE_FIELDS)
            writer.writeheader()
            for issue in issues:
                writer.writerow({k: issue.get(k, '') for k in ISSUE_FIELDS})
        return path
    summary = summarize_issues(issues)
    summary.pop('text')
    report = dict(meta or {}, **summary, issues=issues)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
    return path
