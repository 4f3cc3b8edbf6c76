"""Check a training annotation file (FG-CLIP JSON) without its videos.

Reads the file as :class:`~fgclip_mm.datasets.TimestampSegmentDataset`
would (classes, ``path_map``, ``class_sources``, ``class_aliases`` and
captions templates from ``--config``'s ``train_dataloader.dataset``), with
``invalid_entries='skip'`` (or ``'repair'``) and no file checks, and prints:
entries per source and class, entries skipped by reason (each listed with
its index and video), repairs, boxes clamped, and keyframe statistics
(keyframes per region, span of each region in frames, regions per entry).

Examples::

    python tools/data/check_annotations.py train.json
    python tools/data/check_annotations.py merged.json \\
        --config configs/fgclip_msad.py --report work_dirs/check.json
    python tools/data/check_annotations.py train.json --classes ucf_msad

Exit status: 0 when every entry is usable as is, 1 when entries were
skipped or repaired (the report says which), 2 when the file or the
configuration is unusable (an unmapped prefix, not JSON, ...).
"""
import argparse
import sys
import time
from collections import Counter
from typing import List, Optional

import numpy as np

from fgclip_mm.annotations import AnnotationError, get_classes
from fgclip_mm.datasets.annotation_records import RecordBuilder
from fgclip_mm.datasets.class_resolver import ClassResolver
from fgclip_mm.datasets.entry_report import (summarize_issues,
                                             write_entry_report)
from fgclip_mm.datasets.video_paths import VideoPathResolver

#: ``train_dataloader.dataset`` keys the check takes from ``--config``.
DATASET_KEYS = ('path_map', 'strip_prefix', 'class_sources', 'class_aliases',
                'label_source', 'label_field', 'caption_template',
                'region_caption_template', 'box_tolerance', 'invalid_entries')


def dataset_options(config: Optional[str]) -> dict:
    """The dataset options of a config (``train_dataloader.dataset``; a
    ``ConcatDataset``'s first dataset), ``classes`` from its metainfo."""
    if not config:
        return {}
    from mmengine.config import Config
    ds = Config.fromfile(config).train_dataloader.dataset
    if 'datasets' in ds:
        ds = ds.datasets[0]
    opts = {k: ds[k] for k in DATASET_KEYS if ds.get(k) is not None}
    classes = (ds.get('metainfo') or {}).get('classes')
    if classes:
        opts['classes'] = tuple(classes)
    return opts


def parse_classes(values: Optional[List[str]]) -> Optional[tuple]:
    """``--classes``: one dataset name (``ucf_msad``) or the class names."""
    if not values:
        return None
    if len(values) == 1:
        try:
            return get_classes(values[0])
        except ValueError:
            pass
    return tuple(values)


def build(opts: dict, policy: str) -> RecordBuilder:
    classes = ClassResolver(
        opts.get('classes') or get_classes('ucf_crime'),
        opts.get('label_source', 'auto'), opts.get('label_field', 'label'),
        opts.get('class_aliases'), opts.get('class_sources'))
    paths = VideoPathResolver('', opts.get('strip_prefix'), False, 'error',
                              opts.get('path_map'))
    return RecordBuilder(classes, paths, opts.get('caption_template'),
                         opts.get('region_caption_template'),
                         opts.get('box_tolerance', 0.01), policy)


def _stats(values) -> str:
    if not len(values):
        return 'none'
    v = np.asarray(values, dtype=np.float64)
    return (f'min {v.min():g}, median {np.median(v):g}, mean {v.mean():.2f}, '
            f'p95 {np.percentile(v, 95):g}, max {v.max():g} (n={len(v)})')


def keyframe_lines(records: List[dict]) -> List[str]:
    """Keyframes per region, span per region, regions per entry."""
    regions = [r for rec in records for r in rec['box_infos'] if r]
    per_region = [len(r) for r in regions]
    spans = [r[-1]['frame'] - r[0]['frame'] for r in regions]
    hist = Counter(min(n, 5) for n in per_region)
    hist_text = ', '.join(f"{k if k < 5 else '5+'}: {hist[k]}"
                          for k in sorted(hist))
    return [
        'Keyframes per region: ' + _stats(per_region),
        f'  regions with 1, 2, ... keyframes: {hist_text or "none"}',
        'Span per region (frames, last - first keyframe): ' + _stats(spans),
        'Regions with keyframes per entry: ' +
        _stats([sum(1 for r in rec['box_infos'] if r) for rec in records]),
    ]


def class_lines(builder: RecordBuilder) -> List[str]:
    lines = ['Entries by source and class:']
    width = max([len(s) for s, _ in builder.class_counts] + [6])
    for (source, cls), n in sorted(builder.class_counts.items()):
        lines.append(f'  {source:<{width}}  {cls:<16} {n:>6}')
    return lines


def issue_lines(builder: RecordBuilder, max_listed: int) -> List[str]:
    summary = summarize_issues(builder.issues)
    lines = ['Skipped entries by reason:' +
             ('' if summary['skipped_by_reason'] else ' none')]
    lines += [f'  {r:<20} {n:>6}'
              for r, n in summary['skipped_by_reason'].items()]
    lines.append(f"Repaired entries: {summary['num_repaired']}")
    for issue in builder.issues[:max_listed]:
        lines.append(f"  entry {issue['index']} ({issue['video']}): "
                     f"{issue['reason']} {issue['action']}: "
                     f"{issue['message'].split(': ', 2)[-1]}")
    if len(builder.issues) > max_listed:
        lines.append(f'  ... {len(builder.issues) - max_listed} more '
                     '(--report FILE lists all)')
    return lines


def check(args) -> int:
    opts = dataset_options(args.config)
    classes = parse_classes(args.classes)
    if classes:
        opts['classes'] = classes
    policy = args.invalid_entries or (
        'repair' if opts.get('invalid_entries') == 'repair' else 'skip')
    start = time.perf_counter()
    builder = build(opts, policy)
    records = builder.from_json(args.file)
    elapsed = time.perf_counter() - start
    total = len(records) + sum(i['action'] == 'skipped'
                               for i in builder.issues)
    lines = [
        f'{args.file}: {total} entries, {len(records)} usable, '
        f"{builder.stats['num_invalid_skipped']} skipped, "
        f"{builder.stats['num_repaired']} repaired "
        f"(invalid_entries={policy!r}); checked in {elapsed:.2f} s",
        f"Classes ({len(builder.classes.classes)}): "
        f"{', '.join(builder.classes.classes)}",
        f"Boxes clamped to [0, 1]: {builder.stats['num_clamped_boxes']}",
        f"Anomaly format (timestamps null): "
        f"{builder.stats['num_anomaly_format']}, normal format: "
        f"{builder.stats['num_normal_format']}",
    ]
    lines += class_lines(builder) + issue_lines(builder, args.max_listed)
    lines += keyframe_lines(records)
    print('\n'.join(lines))
    if args.report:
        write_entry_report(args.report, builder.issues,
                           dict(ann_file=args.file, invalid_entries=policy,
                                num_entries=total))
        print(f'report written to {args.report}')
    return 1 if builder.issues else 0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Check an FG-CLIP JSON annotation file without videos.')
    parser.add_argument('file', help='annotation file (.json / .json.gz)')
    parser.add_argument('--config', help='config whose train dataset options '
                        '(classes, path_map, class_sources, ...) to use')
    parser.add_argument('--classes', nargs='+', help='class names, or one '
                        'dataset name (ucf_crime, msad, ucf_msad, ...)')
    parser.add_argument('--invalid-entries', choices=('skip', 'repair'),
                        help="policy (default: the config's if 'repair', "
                        "else 'skip')")
    parser.add_argument('--report', help='write every skipped / repaired '
                        'entry to this JSON (or .csv) file')
    parser.add_argument('--max-listed', type=int, default=20,
                        help='entries listed in the output (default 20)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return check(args)
    except (AnnotationError, FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
