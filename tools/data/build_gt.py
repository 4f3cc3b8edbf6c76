"""Build the concatenated frame-level ground truth of a VAD test set.

Writes the ``.npy`` label array (``float32``, 1 = anomalous frame) that other
VAD codebases consume, from the official annotation files. Examples::

    # UCF-Crime, the widely shared snippet-16 label array (I3D features)
    python tools/data/build_gt.py ucf_crime \\
        --annotations Temporal_Anomaly_Annotation_for_Testing_Videos.txt \\
        --lengths test_snippet16_lengths.csv --order test_order.txt \\
        --out gt_ucf_snippet16.npy

    # UCF-Crime, every real frame
    python tools/data/build_gt.py ucf_crime \\
        --annotations test_annotations_with_frame_counts.txt \\
        --protocol frame --out gt_ucf_frame.npy

    # XD-Violence
    python tools/data/build_gt.py xd_violence --annotations annotations.txt \\
        --lengths test_snippet16_lengths.csv --order test_list.txt \\
        --out gt_xd.npy

    # ShanghaiTech (weak split), masks in <annotations dir>/test_frame_mask
    python tools/data/build_gt.py shanghaitech --annotations SH_Test_NEW.txt \\
        --out gt_sh.npy

    # ShanghaiTech as RTFM / MIST / TEVAD label it (gt-sh.npy): I3D order,
    # ceil(frames/16)*16 labels per video, masks padded with their last value
    python tools/data/build_gt.py shanghaitech --annotations SH_Test_NEW.txt \\
        --order rtfm_sh_test_order.txt --protocol snippet16_pad --out gt_sh.npy

See ``docs/evaluation.md``.
"""
import argparse
import os
import os.path as osp
import sys
import warnings
from typing import List, Optional

import numpy as np

from fgclip_mm.annotations import (AnnotationError, read_lengths,
                                   read_video_list)
from fgclip_mm.evaluation.functional import (BENCHMARKS, build_ground_truth,
                                             is_normal_video,
                                             load_test_annotations,
                                             protocol_length)
from fgclip_mm.evaluation.functional.ground_truth import (
    build_video_labels, concat_in_order, pad_labels_to_length)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Build the concatenated frame-level ground-truth array '
        'of a VAD test set from its official annotation files.')
    parser.add_argument('dataset', choices=BENCHMARKS, help='benchmark')
    parser.add_argument(
        '--annotations',
        required=True,
        help='official annotation file: UCF-Crime temporal annotation txt, '
        'XD-Violence annotations.txt, or the ShanghaiTech weak split list '
        '(e.g. SH_Test_NEW.txt)')
    parser.add_argument(
        '--lengths',
        help='per-video lengths: a CSV "video,label_frames" (e.g. '
        'test_snippet16_lengths.csv) or any file whose lines start with the '
        'video name and end with its frame count (e.g. '
        'test_annotations_with_frame_counts.txt). Defaults to the frame '
        'counts found in the annotations (UCF-Crime with counts, '
        'ShanghaiTech)')
    parser.add_argument(
        '--order',
        help='video names in output order, one per line; videos absent '
        'from the annotations are normal. Defaults to the order of '
        '--lengths, else of the annotations')
    parser.add_argument(
        '--protocol',
        choices=('frame', 'snippet16', 'snippet16_pad'),
        default='frame',
        help='frame: label every frame of each length; snippet16: drop the '
        'trailing partial 16-frame snippet of each video (lengths already '
        'multiples of 16 are unchanged); snippet16_pad: the ShanghaiTech '
        'gt-sh.npy of RTFM/MIST/TEVAD: ceil(frames/16)*16 labels per video '
        '(or the --lengths given, e.g. T*16 of the features), the frame '
        'mask padded by repeating its last value. Default: frame')
    parser.add_argument(
        '--interval-convention',
        choices=('half_open', 'inclusive'),
        default='half_open',
        help='read an event (s, e) as frames [s, e) (default, the '
        "community's label files) or [s, e]")
    parser.add_argument(
        '--mask-dir',
        help='ShanghaiTech: folder of <video>.npy frame masks (default: '
        'test_frame_mask next to --annotations)')
    parser.add_argument('--out', required=True, help='output .npy file')
    return parser.parse_args(argv)


def padded_ground_truth(entries: dict, lengths: dict, order: List[str],
                        label_lengths: bool, convention: str) -> tuple:
    """The ``snippet16_pad`` protocol (ShanghaiTech's ``gt-sh.npy`` of
    RTFM / MIST / TEVAD): each video gets ``ceil(frames / 16) * 16`` labels
    (or ``lengths[v]`` when ``label_lengths``: the feature's ``T * 16``),
    its frame labels cut or padded by repeating the last one.

    Returns:
        tuple[np.ndarray, list[int]]: The concatenation and the per-video
        label lengths, videos in ``order``.
    """
    per_video, out_lengths = {}, []
    for vid in order:
        entry = entries.get(vid)
        real = entry['num_frames'] if entry else None
        if real is None:
            if entry is not None and len(entry['intervals']):
                raise ValueError(f'anomalous video {vid!r} has no frame count')
            real = lengths[vid]
        target = lengths[vid] if label_lengths else -(-real // 16) * 16
        labels = build_video_labels(entry['intervals'] if entry else None,
                                    real, 'frame', convention)
        per_video[vid] = pad_labels_to_length(labels, target)
        out_lengths.append(target)
    return concat_in_order(per_video, order), out_lengths


def build(args: argparse.Namespace) -> dict:
    """Build the ground truth described by parsed CLI arguments.

    Returns:
        dict: ``gt`` (float32 ``(N,)``), ``order`` (list of video ids),
        ``num_normal`` / ``num_anomalous`` (videos), ``lengths`` (per
        video, after the protocol).
    """
    entries = load_test_annotations(args.dataset, args.annotations,
                                    args.mask_dir)
    if args.lengths:
        lengths = read_lengths(args.lengths)
    else:
        lengths = {
            v: e['num_frames']
            for v, e in entries.items() if e['num_frames'] is not None
        }
    if args.order:
        order = read_video_list(args.order)
    elif args.lengths:
        order = list(lengths)
    else:
        order = list(entries)
    missing = [v for v in order if v not in lengths]
    if missing:
        raise ValueError(f'{len(missing)} video(s) have no length (e.g. '
                         f'{missing[:3]}); pass --lengths')
    not_in_order = [v for v in entries if v not in set(order)]
    if not_in_order:
        warnings.warn(f'{len(not_in_order)} annotated video(s) are not in '
                      f'the order list and are left out, e.g. '
                      f'{not_in_order[:3]}')
    normal = [is_normal_video(args.dataset, v, entries.get(v)) for v in order]
    for vid, is_normal in zip(order, normal):
        if not is_normal and vid not in entries:
            warnings.warn(f'video {vid!r} is anomalous by name but has no '
                          'annotation; it is labelled normal')
    if args.protocol == 'snippet16_pad':
        gt, out_lengths = padded_ground_truth(entries, lengths, order,
                                              bool(args.lengths),
                                              args.interval_convention)
    else:
        gt = build_ground_truth({
            v: e['intervals']
            for v, e in entries.items()
        }, lengths, order, args.protocol, args.interval_convention)
        out_lengths = [
            protocol_length(lengths[v], args.protocol) for v in order
        ]
    return dict(
        gt=gt.astype(np.float32),
        order=order,
        num_normal=sum(normal),
        num_anomalous=len(order) - sum(normal),
        lengths=out_lengths)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        result = build(args)
    except (AnnotationError, FileNotFoundError, KeyError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    gt = result['gt']
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    np.save(args.out, gt)
    print(f'{args.dataset} ({args.protocol}, {args.interval_convention}): '
          f'{len(result["order"])} videos ({result["num_anomalous"]} '
          f'anomalous, {result["num_normal"]} normal), {gt.size} frames, '
          f'{int(gt.sum())} positives -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
