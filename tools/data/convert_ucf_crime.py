"""Prepare UCF-Crime with the original FG-CLIP VAD annotation JSON.

Inputs (official downloads):

* the UCF-Crime videos, any layout under ``--video-root`` (e.g.
  ``Anomaly-Videos-Part-1/Abuse/Abuse001_x264.mp4``,
  ``Training-Normal-Videos-Part-1/...``,
  ``Testing_Normal_Videos_Anomaly/...``);
* the FG-CLIP VAD JSON (``ucf_fgclip_train_with_timestamps_en.json``);
* ``Temporal_Anomaly_Annotation_for_Testing_Videos.txt``.

Outputs in ``--out-dir``:

* ``fgclip_train.json``: the JSON with every ``video`` path rewritten relative
  to ``--video-root`` (files located by name) and, with ``--label-field``, an
  explicit ``label`` (class from the original path), so the dataset no longer
  depends on the folder layout;
* ``test_annotations.txt``: the official test annotation, plus the frame count
  of each video as a last column when ``--count-frames`` is given (read with
  decord from the video header);
* ``exclude_test_videos.txt``: names of the official test videos (pass as the
  dataset's ``exclude_file`` for a benchmark run; 140 of them are in the JSON).

Example::

    python tools/data/convert_ucf_crime.py \\
        --video-root data/ucf_crime/videos \\
        --ann-json ucf_fgclip_train_with_timestamps_en.json \\
        --test-ann Temporal_Anomaly_Annotation_for_Testing_Videos.txt \\
        --out-dir data/ucf_crime --count-frames
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List

from fgclip_mm.annotations import (format_ucf_line, is_normal_class,
                                   load_json_entries,
                                   parse_ucf_test_annotations, video_stem)


def index_videos(root: str) -> Dict[str, List[str]]:
    """File name -> paths (relative to ``root``) of every file under it."""
    index: Dict[str, List[str]] = {}
    for dirpath, _, files in os.walk(root, followlinks=True):
        for name in files:
            index.setdefault(name, []).append(
                osp.relpath(osp.join(dirpath, name), root))
    return index


def locate(name: str, index: Dict[str, List[str]], hint: str = '') -> str:
    """The one file called ``name``; with several, the one whose folder
    appears in ``hint`` (the original path)."""
    found = index.get(osp.basename(name), [])
    if len(found) > 1:
        found = [p for p in found if osp.basename(osp.dirname(p)) in hint
                 ] or found
    if len(found) != 1:
        raise LookupError(f'{name}: {len(found)} files found')
    return found[0]


def convert(args) -> dict:
    os.makedirs(args.out_dir, exist_ok=True)
    index = index_videos(args.video_root) if args.video_root else {}
    entries = load_json_entries(args.ann_json)
    missing = []
    for i, entry in enumerate(entries):
        original = entry['video']
        if args.label_field:
            folder = osp.basename(osp.dirname(original))
            entry.setdefault(
                'label', 'Normal' if is_normal_class(folder) else folder)
        if index:
            try:
                entry['video'] = locate(original, index, original)
            except LookupError as e:
                missing.append(f'entry {i}: {e}')
    with open(osp.join(args.out_dir, 'fgclip_train.json'), 'w') as f:
        json.dump(entries, f, indent=1, ensure_ascii=False)

    lines, names = [], []
    # The official file: at most two events per line.
    for rec in parse_ucf_test_annotations(args.test_ann, max_events=2):
        names.append(rec['name'])
        total = rec['total_frames']
        if args.count_frames and total is None:
            from fgclip_mm.datasets.video_io import get_num_frames
            try:
                total = get_num_frames(
                    osp.join(args.video_root, locate(rec['name'], index)))
            except Exception as e:  # noqa: BLE001 - report and go on
                missing.append(f"test line {rec['line']}: {e}")
        lines.append(
            format_ucf_line(rec['name'], rec['class_name'],
                            rec['anomaly_intervals'], total))
    with open(osp.join(args.out_dir, 'test_annotations.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(osp.join(args.out_dir, 'exclude_test_videos.txt'), 'w') as f:
        f.write('\n'.join(video_stem(n) for n in names) + '\n')
    in_json = {video_stem(e['video'])
               for e in entries} & {video_stem(n)
                                    for n in names}
    return dict(
        train_entries=len(entries),
        test_videos=len(names),
        test_videos_in_train_json=len(in_json),
        problems=missing)


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Prepare UCF-Crime for fgclip_mm.')
    parser.add_argument(
        '--video-root',
        default='',
        help='folder holding the UCF-Crime videos (any '
        'layout); empty: keep the JSON paths')
    parser.add_argument('--ann-json', required=True)
    parser.add_argument('--test-ann', required=True)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument(
        '--label-field',
        action='store_true',
        help='write an explicit "label" per entry')
    parser.add_argument(
        '--count-frames',
        action='store_true',
        help='append each test video\'s frame count')
    summary = convert(parser.parse_args())
    print(json.dumps(summary, indent=1))
    if summary['problems']:
        sys.exit(f"{len(summary['problems'])} problem(s), see above")


if __name__ == '__main__':
    main()
