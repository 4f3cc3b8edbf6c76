"""Prepare XD-Violence (video-level labels) for fgclip_mm.

Inputs (official downloads): the training and test videos (``*.mp4`` named
``<title>__#<clip>_label_<codes>.mp4``) and the test annotation
``annotations.txt`` (``name s1 e1 [s2 e2 ...]`` frame numbers per anomalous
test video).

Outputs in ``--out-dir``:

* ``train.json``: one entry per training video in the FG-CLIP JSON format with
  only ``video`` (relative to ``--video-root``), ``label`` (the class of the
  first label code) and null ``timestamps``; captions come from the dataset's
  ``caption_template`` and there are no regions;
* ``test_annotations.txt``: UCF-Crime text format with XD-Violence's intervals
  (any number of pairs), ``Normal`` and ``-1 -1`` for ``label_A`` videos, and
  the frame count last when ``--count-frames`` is given.

Use ``metainfo=dict(classes=XD_CLASSES)`` with the printed class tuple.

Example::

    python tools/data/convert_xd_violence.py --video-root data/xd/videos \\
        --train-dir train --test-dir test --test-ann annotations.txt \\
        --out-dir data/xd
"""
import argparse
import json
import os
import os.path as osp

import numpy as np

from fgclip_mm.annotations import (XD_VIOLENCE_CLASSES,
                                   XD_VIOLENCE_LABEL_CODES, format_ucf_line,
                                   is_xd_violence_normal,
                                   parse_xd_violence_annotations, video_stem,
                                   xd_violence_labels)

#: XD-Violence label codes -> class names (the one table,
#: :data:`fgclip_mm.annotations.XD_VIOLENCE_LABEL_CODES`); index 0 is normal.
XD_CODES = XD_VIOLENCE_LABEL_CODES
XD_CLASSES = XD_VIOLENCE_CLASSES


def class_of(name: str) -> str:
    """Class of an XD-Violence video from the first code after ``label_``."""
    codes = xd_violence_labels(video_stem(name))
    if not codes or codes[0] not in XD_CODES:
        raise ValueError(f'{name}: no XD-Violence label code in the name')
    return XD_CODES[codes[0]]


def list_videos(root: str, sub: str):
    folder = osp.join(root, sub)
    return sorted(
        osp.relpath(osp.join(d, f), root) for d, _, fs in os.walk(folder)
        for f in fs if f.endswith(('.mp4', '.avi')))


def convert(args) -> dict:
    os.makedirs(args.out_dir, exist_ok=True)
    train = [
        dict(video=v, label=class_of(v), timestamps=None)
        for v in list_videos(args.video_root, args.train_dir)
    ]
    with open(osp.join(args.out_dir, 'train.json'), 'w') as f:
        json.dump(train, f, indent=1)
    # AnnotationError naming the file and line for a malformed line.
    intervals = parse_xd_violence_annotations(args.test_ann)
    lines = []
    unannotated = []
    for v in list_videos(args.video_root, args.test_dir):
        total = None
        if args.count_frames:
            from fgclip_mm.datasets.video_io import get_num_frames
            total = get_num_frames(osp.join(args.video_root, v))
        cls = class_of(v)
        iv = np.asarray(intervals.get(video_stem(v), []),
                        np.int64).reshape(-1, 2)
        if not len(iv) and not is_xd_violence_normal(v):
            unannotated.append(v)
        lines.append(format_ucf_line(osp.basename(v), cls, iv, total))
    if unannotated:
        # Would be all-normal frame labels; the dataset refuses them too.
        raise ValueError(
            f'{len(unannotated)} violent test video(s) have no intervals in '
            f'{args.test_ann}, e.g. {unannotated[:3]}')
    with open(osp.join(args.out_dir, 'test_annotations.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return dict(
        train_videos=len(train), test_videos=len(lines), classes=XD_CLASSES)


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Prepare XD-Violence for fgclip_mm.')
    parser.add_argument('--video-root', required=True)
    parser.add_argument('--train-dir', default='train')
    parser.add_argument('--test-dir', default='test')
    parser.add_argument('--test-ann', required=True)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--count-frames', action='store_true')
    print(json.dumps(convert(parser.parse_args()), indent=1))


if __name__ == '__main__':
    main()
