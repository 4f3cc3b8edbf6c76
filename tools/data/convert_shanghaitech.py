"""Prepare ShanghaiTech Campus in the weakly supervised split (Zhong et al.,
CVPR 2019: ``SH_Train_new.txt`` / ``SH_Test_NEW.txt``) for fgclip_mm.

Inputs (official downloads): ``training/videos/*.avi`` (normal training
videos), ``testing/frames/<video>/*.jpg`` (test videos as frames),
``testing/test_frame_mask/<video>.npy`` (per-frame anomaly masks), and the two
split lists (``name,label`` and ``name,label,num_frames``; label 1 =
anomalous).

The weak split mixes both folders, so every video is made available as a file
decord reads: ``.avi`` files are used in place, frame folders are encoded to
``<out-dir>/videos/<name>.mp4`` (``--fps``, default 24).

Outputs in ``--out-dir``: ``train.json`` (video-level labels, class
``Normal``/``Anomaly``, no captions: use the dataset's ``caption_template``),
``test_annotations.txt`` (UCF-Crime text format, intervals from the masks,
frame count last) and ``videos/``. Paths in both are relative to ``--out-dir``
or absolute for the in-place ``.avi`` files.

Example::

    python tools/data/convert_shanghaitech.py --sht-root data/shanghaitech \\
        --train-list SH_Train_new.txt --test-list SH_Test_NEW.txt \\
        --out-dir data/sht_weak
"""
import argparse
import glob
import json
import os
import os.path as osp

import numpy as np

from fgclip_mm.annotations import (SHANGHAITECH_CLASSES, format_ucf_line,
                                   parse_shanghaitech_split)
from fgclip_mm.evaluation.functional import labels_to_intervals

SHT_CLASSES = SHANGHAITECH_CLASSES


def encode_frames(frame_dir: str, out_path: str, fps: int) -> int:
    import cv2
    from fgclip_mm.datasets.video_writer import write_mp4
    files = sorted(
        glob.glob(osp.join(frame_dir, '*.jpg')) +
        glob.glob(osp.join(frame_dir, '*.png')))
    if not files:
        raise FileNotFoundError(f'no frames in {frame_dir}')
    frames = np.stack([cv2.imread(f)[..., ::-1] for f in files])
    h, w = frames.shape[1:3]
    frames = frames[:, :h - h % 2, :w - w % 2]  # yuv420p needs even sizes
    write_mp4(out_path, np.ascontiguousarray(frames), fps)
    return len(files)


def resolve(name: str, args, counts: dict) -> str:
    avi = osp.join(args.sht_root, 'training', 'videos', name + '.avi')
    if osp.isfile(avi):
        return osp.abspath(avi)
    rel = osp.join('videos', name + '.mp4')
    out = osp.join(args.out_dir, rel)
    if not osp.isfile(out):
        counts[name] = encode_frames(
            osp.join(args.sht_root, 'testing', 'frames', name), out, args.fps)
    return rel


def convert(args) -> dict:
    os.makedirs(args.out_dir, exist_ok=True)
    counts: dict = {}
    train = [
        dict(
            video=resolve(e['video'], args, counts),
            label=SHT_CLASSES[e['is_anomaly']],
            timestamps=None)
        for e in parse_shanghaitech_split(args.train_list)
    ]
    with open(osp.join(args.out_dir, 'train.json'), 'w') as f:
        json.dump(train, f, indent=1)
    lines = []
    mask_dir = osp.join(args.sht_root, 'testing', 'test_frame_mask')
    for e in parse_shanghaitech_split(args.test_list):
        name, label, num = e['video'], int(e['is_anomaly']), e['num_frames']
        path = resolve(name, args, counts)
        mask_file = osp.join(mask_dir, name + '.npy')
        if osp.isfile(mask_file):
            mask = np.load(mask_file)
            intervals, total = labels_to_intervals(mask), len(mask)
        else:
            intervals, total = np.zeros((0, 2), np.int64), num
            if total is None:
                from fgclip_mm.datasets.video_io import get_num_frames
                total = get_num_frames(
                    path if osp.isabs(path) else osp.join(args.out_dir, path))
        lines.append(
            format_ucf_line(path, SHT_CLASSES[label], intervals, total))
    with open(osp.join(args.out_dir, 'test_annotations.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return dict(
        train_videos=len(train),
        test_videos=len(lines),
        encoded=len(counts),
        classes=SHT_CLASSES)


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Prepare ShanghaiTech (weak split) for fgclip_mm.')
    parser.add_argument('--sht-root', required=True)
    parser.add_argument('--train-list', required=True)
    parser.add_argument('--test-list', required=True)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--fps', type=int, default=24)
    print(json.dumps(convert(parser.parse_args()), indent=1))


if __name__ == '__main__':
    main()
