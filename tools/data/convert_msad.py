"""Prepare MSAD (Multi-Scenario Anomaly Detection, NeurIPS 2024 Datasets and
Benchmarks) for fgclip_mm.

Inputs (official downloads): the frame-level test annotation
``anomaly_annotation.csv`` (``name, scenario, total frames, starting frame
of anomaly, ending frame of anomaly``; anomalous videos only), the split
lists of the weakly supervised protocol ("protocol ii": 360 normal + 120
anomalous training videos, 120 + 120 test videos; e.g.
``MSAD_I3D_WS_Test.list``, one name or feature path per line) and,
optionally, the videos (``--video-root``).

Outputs in ``--out-dir``:

* ``test_annotations.txt``: UCF-Crime text format, one line per test video in
  list order: the video (relative to ``--video-root`` when found there, else
  ``<name>.mp4``), its MSAD class (``Normal`` for normal videos), the event
  as ``start end`` (read half-open ``[start, end)``, see
  :mod:`fgclip_mm.annotations.msad`) and the frame count (from the CSV for
  anomalous videos, ``--frame-counts`` or ``--count-frames`` for the normal
  ones; without it the dataset probes the video);
* ``test_order.txt``: the test video ids in list order (``build_gt.py
  --order``);
* ``train.json`` (with ``--train-list``): video-level entries (``video``,
  ``label``, null ``timestamps``) for training on MSAD alone with the
  dataset's ``caption_template``.

Example::

    python tools/data/convert_msad.py --annotation anomaly_annotation.csv \\
        --test-list MSAD_I3D_WS_Test.list \\
        --train-list MSAD_I3D_WS_Train.list \\
        --video-root data/msad/videos --out-dir data/msad
"""
import argparse
import json
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np

from fgclip_mm.annotations import (MSAD_CLASSES, format_ucf_line,
                                   msad_class_of, parse_msad_annotations,
                                   read_lengths, read_msad_split, video_stem)


def index_videos(root: Optional[str]) -> Dict[str, str]:
    """Video id -> path relative to ``root`` of every video under it."""
    found: Dict[str, str] = {}
    for dirpath, _, files in os.walk(root or '', followlinks=True):
        for name in files:
            if name.lower().endswith(('.mp4', '.avi', '.mkv', '.mov')):
                rel = osp.relpath(osp.join(dirpath, name), root)
                found.setdefault(video_stem(name), rel)
    return found


def frame_count(vid: str, ann: Optional[dict], counts: Dict[str, int],
                path: Optional[str]) -> Optional[int]:
    if ann is not None:
        return ann['num_frames']
    if vid in counts:
        return counts[vid]
    if path is not None:
        from fgclip_mm.datasets.video_io import get_num_frames
        return get_num_frames(path)
    return None


def test_line(vid: str, ann: Optional[dict], videos: Dict[str, str],
              counts: Dict[str, int], args) -> str:
    cls = msad_class_of(vid)
    if cls != 'Normal' and (ann is None or not ann['intervals']):
        raise ValueError(
            f'anomalous test video {vid!r} has no event in '
            f'{args.annotation}; its frames would all be labelled normal')
    if cls == 'Normal' and ann is not None and ann['intervals']:
        raise ValueError(f'normal test video {vid!r} has an event in '
                         f'{args.annotation}')
    name = videos.get(vid, f'{vid}.mp4')
    probe = osp.join(args.video_root, videos[vid]) \
        if args.count_frames and vid in videos else None
    intervals = np.asarray(ann['intervals'] if ann else [],
                           np.int64).reshape(-1, 2)
    return format_ucf_line(name, cls, intervals,
                           frame_count(vid, ann, counts, probe))


def write_train(args, videos: Dict[str, str]) -> int:
    train = [
        dict(video=videos.get(v, f'{v}.mp4'), label=msad_class_of(v),
             timestamps=None) for v in read_msad_split(args.train_list)
    ]
    with open(osp.join(args.out_dir, 'train.json'), 'w') as f:
        json.dump(train, f, indent=1)
    return len(train)


def convert(args) -> dict:
    os.makedirs(args.out_dir, exist_ok=True)
    annotations = parse_msad_annotations(args.annotation)
    videos = index_videos(args.video_root) if args.video_root else {}
    counts = read_lengths(args.frame_counts) if args.frame_counts else {}
    order = read_msad_split(args.test_list)
    lines = [
        test_line(v, annotations.get(v), videos, counts, args) for v in order
    ]
    with open(osp.join(args.out_dir, 'test_annotations.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(osp.join(args.out_dir, 'test_order.txt'), 'w') as f:
        f.write('\n'.join(order) + '\n')
    out = dict(
        test_videos=len(lines),
        test_anomalous=sum(msad_class_of(v) != 'Normal' for v in order),
        videos_found=sum(v in videos for v in order),
        classes=MSAD_CLASSES)
    if args.train_list:
        out['train_videos'] = write_train(args, videos)
    return out


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Prepare MSAD for fgclip_mm.')
    parser.add_argument('--annotation', required=True,
                        help='anomaly_annotation.csv')
    parser.add_argument('--test-list', required=True,
                        help='test split list (names or feature paths)')
    parser.add_argument('--train-list', help='training split list')
    parser.add_argument('--video-root', help='folder of the MSAD videos')
    parser.add_argument('--frame-counts',
                        help='"name count" lines for the normal videos')
    parser.add_argument('--count-frames', action='store_true',
                        help='probe normal videos under --video-root')
    parser.add_argument('--out-dir', required=True)
    return parser.parse_args(argv)


def main() -> None:
    print(json.dumps(convert(parse_args()), indent=1))


if __name__ == '__main__':
    main()
