"""Convert a detector's output into the pseudo-box file of ablation D.

Reads COCO-style detection results or MOTChallenge text files and writes
the JSON that ``GeneratePseudoRegionBoxes`` reads (format:
``fgclip_mm/datasets/pseudo_boxes.py``, ``docs/data_preparation.md``)::

    # COCO results (a list of {image_id, category_id, bbox: [x, y, w, h],
    # score}) + the COCO image list they refer to; frames extracted as
    # <video_id>/<frame number>.jpg (or images with video / frame_id)
    python tools/data/convert_detections.py coco \\
        --results person_dets.json --images frames_coco.json \\
        --category-id 1 --out data/ucf_crime/pseudo_boxes.json

    # MOTChallenge det/track files, one <video_id>.txt per video:
    # frame, id, left, top, width, height, conf, ...
    python tools/data/convert_detections.py mot --mot-dir dets/ \\
        --frame-size 320 240 --out data/ucf_crime/pseudo_boxes.json

Frame numbers are 1-based in both sources by default (MOTChallenge, and
ffmpeg's ``%06d.jpg`` numbering); ``--frame-base 0`` for 0-based ones.
"""

import argparse
import csv
import glob
import json
import os.path as osp
import re
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

from fgclip_mm.datasets.pseudo_boxes import save_pseudo_boxes

Rows = Dict[str, List[List[float]]]


def normalised_row(
    frame: int, xywh: Sequence[float], score: float, size: Tuple[float, float]
) -> Optional[List[float]]:
    """``[frame, x1, y1, x2, y2, score]`` with the box normalised by the
    frame ``size = (width, height)`` and clamped to ``[0, 1]``; None for a
    box with no area inside the frame."""
    w, h = size
    x, y, bw, bh = (float(v) for v in xywh)
    x1, y1 = min(max(x / w, 0.0), 1.0), min(max(y / h, 0.0), 1.0)
    x2, y2 = min(max((x + bw) / w, 0.0), 1.0), min(max((y + bh) / h, 0.0), 1.0)
    if x2 <= x1 or y2 <= y1:
        return None
    return [frame, x1, y1, x2, y2, float(score)]


def image_video_frame(image: dict, frame_base: int) -> Tuple[str, int]:
    """Video id and 0-based frame of a COCO image: its ``video`` (or
    ``video_name``) and ``frame_id`` fields, else the file name
    ``.../<video_id>/<digits>.<ext>``."""
    video = image.get('video', image.get('video_name'))
    if video is not None and 'frame_id' in image:
        return osp.splitext(osp.basename(str(video)))[0], (
            int(image['frame_id']) - frame_base
        )
    name = str(image['file_name'])
    digits = re.findall(r'\d+', osp.splitext(osp.basename(name))[0])
    folder = osp.basename(osp.dirname(name))
    if not digits or not folder:
        raise ValueError(
            f'image {image.get("id")}: cannot read the video and frame from '
            f'file_name {name!r} (expected <video_id>/<frame number>.jpg, '
            'or "video" and "frame_id" fields)'
        )
    return folder, int(digits[-1]) - frame_base


def convert_coco(
    results: List[dict],
    images: List[dict],
    category_id: Optional[int],
    min_score: float,
    frame_base: int,
) -> Rows:
    """Rows per video from COCO results and their image list."""
    by_id = {img['id']: img for img in images}
    videos: Rows = defaultdict(list)
    for det in results:
        if category_id is not None and det.get('category_id') != category_id:
            continue
        if float(det.get('score', 1.0)) < min_score:
            continue
        image = by_id.get(det['image_id'])
        if image is None:
            raise ValueError(
                f'detection of image_id {det["image_id"]} has no image in '
                'the image list'
            )
        video, frame = image_video_frame(image, frame_base)
        size = (float(image['width']), float(image['height']))
        row = normalised_row(frame, det['bbox'], det.get('score', 1.0), size)
        if row is not None:
            videos[video].append(row)
    return dict(videos)


def read_sizes(path: str) -> Dict[str, Tuple[float, float]]:
    """``video,width,height`` CSV (with that header) as a dict."""
    with open(path, newline='') as f:
        return {
            osp.splitext(r['video'])[0]: (
                float(r['width']),
                float(r['height']),
            )
            for r in csv.DictReader(f)
        }


def convert_mot(
    mot_dir: str,
    sizes: Dict[str, Tuple[float, float]],
    default_size: Optional[Tuple[float, float]],
    min_score: float,
    frame_base: int,
) -> Rows:
    """Rows per video from MOTChallenge files ``<video_id>.txt``."""
    videos: Rows = {}
    for path in sorted(glob.glob(osp.join(mot_dir, '*.txt'))):
        video = osp.splitext(osp.basename(path))[0]
        size = sizes.get(video, default_size)
        if size is None:
            raise ValueError(
                f'{path}: no frame size for {video!r} (--frame-size or '
                '--sizes)'
            )
        rows = []
        with open(path) as f:
            for lineno, line in enumerate(f, 1):
                fields = line.replace(',', ' ').split()
                if not fields:
                    continue
                if len(fields) < 6:
                    raise ValueError(
                        f'{path}:{lineno}: expected frame, id, left, top, '
                        f'width, height[, conf], got {line.strip()!r}'
                    )
                score = float(fields[6]) if len(fields) > 6 else 1.0
                if score < min_score:
                    continue
                frame = int(float(fields[0])) - frame_base
                row = normalised_row(frame, fields[2:6], score, size)
                if row is not None:
                    rows.append(row)
        videos[video] = rows
    return videos


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('source', choices=['coco', 'mot'])
    parser.add_argument('--out', required=True, help='pseudo-box JSON')
    parser.add_argument('--results', help='coco: detection results JSON')
    parser.add_argument('--images', help='coco: COCO JSON with "images"')
    parser.add_argument(
        '--category-id',
        type=int,
        default=1,
        help='coco: keep this category (1 = person in COCO); -1 keeps all',
    )
    parser.add_argument('--mot-dir', help='mot: folder of <video_id>.txt')
    parser.add_argument(
        '--frame-size', type=float, nargs=2, metavar=('W', 'H')
    )
    parser.add_argument('--sizes', help='mot: CSV video,width,height')
    parser.add_argument('--min-score', type=float, default=0.0)
    parser.add_argument(
        '--frame-base', type=int, default=1, help='number of the 1st frame'
    )
    args = parser.parse_args(argv)
    if args.source == 'coco' and not (args.results and args.images):
        parser.error('coco needs --results and --images')
    if args.source == 'mot' and not args.mot_dir:
        parser.error('mot needs --mot-dir')
    return args


def main(argv=None) -> Rows:
    args = parse_args(argv)
    if args.source == 'coco':
        with open(args.results) as f:
            results = json.load(f)
        with open(args.images) as f:
            images = json.load(f)['images']
        category = None if args.category_id < 0 else args.category_id
        videos = convert_coco(
            results, images, category, args.min_score, args.frame_base
        )
        source = f'COCO results {args.results}'
    else:
        sizes = read_sizes(args.sizes) if args.sizes else {}
        size = tuple(args.frame_size) if args.frame_size else None
        videos = convert_mot(
            args.mot_dir, sizes, size, args.min_score, args.frame_base
        )
        source = f'MOTChallenge files {args.mot_dir}'
    save_pseudo_boxes(args.out, videos, source=source)
    print(
        f'{sum(len(r) for r in videos.values())} boxes of {len(videos)} '
        f'videos written to {args.out}'
    )
    return videos


if __name__ == '__main__':
    main()
