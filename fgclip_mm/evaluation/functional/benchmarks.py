"""Test-set ground truth of the three VAD benchmarks, from official files.

:func:`load_test_annotations` turns the official annotation files of
UCF-Crime, XD-Violence and ShanghaiTech (weakly supervised split) into one
uniform mapping ``video id -> dict(intervals, class_name, num_frames)``
that the ground-truth builder (``tools/data/build_gt.py``) and datasets
share.
"""
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List, Optional

import numpy as np

from .annotations import (is_xd_violence_normal, load_shanghaitech_masks,
                          parse_shanghaitech_split,
                          parse_ucf_crime_annotations,
                          parse_xd_violence_annotations, video_stem)
from .ground_truth import labels_to_intervals

__all__ = [
    'BENCHMARKS', 'XD_VIOLENCE_CLASSES', 'xd_violence_labels',
    'load_test_annotations', 'is_normal_video'
]

#: Benchmarks understood by :func:`load_test_annotations`.
BENCHMARKS = ('ucf_crime', 'xd_violence', 'shanghaitech')

#: XD-Violence label codes (Wu et al., ECCV 2020) to class names: the one
#: table of fgclip_mm (``tools/data/convert_xd_violence.py`` uses it too).
#: Names are single words as config class tuples spell them
#: (``classes=('Normal', 'Fighting', 'Shooting', 'Riot', 'Abuse',
#: 'CarAccident', 'Explosion')``); ``class_text`` turns ``'CarAccident'``
#: into ``'car accident'`` for captions.
XD_VIOLENCE_CLASSES = OrderedDict([
    ('A', 'Normal'),
    ('B1', 'Fighting'),
    ('B2', 'Shooting'),
    ('B4', 'Riot'),
    ('B5', 'Abuse'),
    ('B6', 'CarAccident'),
    ('G', 'Explosion'),
])


def xd_violence_labels(video: str) -> List[str]:
    """Label codes encoded in an XD-Violence video name.

    Args:
        video (str): Video id, e.g.
            ``'Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6'``.

    Returns:
        list[str]: The codes in name order without the ``0`` placeholders,
        e.g. ``['G', 'B2', 'B6']``; ``['A']`` for normal videos; empty if
        the name carries no ``_label_`` part.
    """
    match = re.search(r'_label_([^_/\\]*)$', video_stem(video))
    if match is None:
        return []
    return [c for c in match.group(1).split('-') if c and c != '0']


def _xd_class_name(video: str) -> str:
    codes = xd_violence_labels(video)
    if not codes:
        return ''
    return XD_VIOLENCE_CLASSES.get(codes[0], codes[0])


def load_test_annotations(benchmark: str,
                          path: str,
                          mask_dir: Optional[str] = None) -> Dict[str, dict]:
    """Per-video test ground truth of a benchmark.

    Args:
        benchmark (str): ``'ucf_crime'`` (``path`` is
            ``Temporal_Anomaly_Annotation_for_Testing_Videos.txt`` or
            ``test_annotations_with_frame_counts.txt``), ``'xd_violence'``
            (``annotations.txt``; lists violent videos only) or
            ``'shanghaitech'`` (a weak split list such as
            ``SH_Test_NEW.txt``; frame masks of the anomalous videos in
            ``mask_dir``).
        path (str): The annotation file.
        mask_dir (str, optional): ShanghaiTech only: folder of
            ``<video>.npy`` frame masks. Defaults to ``test_frame_mask``
            next to ``path``.

    Returns:
        dict[str, dict]: Video id to ``dict(intervals=np.ndarray (K, 2)
        int64, class_name=str, num_frames=int | None)``, in file order.
        Intervals are as written in the file (ShanghaiTech: the half-open
        runs of its mask). ``class_name`` is ``'Normal'`` for normal videos;
        XD-Violence videos get the class of their first label code.
    """
    out: Dict[str, dict] = OrderedDict()
    if benchmark == 'ucf_crime':
        for vid, entry in parse_ucf_crime_annotations(path).items():
            out[vid] = dict(
                intervals=np.asarray(entry['intervals'],
                                     dtype=np.int64).reshape(-1, 2),
                class_name=entry['class_name'],
                num_frames=entry['num_frames'])
    elif benchmark == 'xd_violence':
        for vid, intervals in parse_xd_violence_annotations(path).items():
            out[vid] = dict(
                intervals=np.asarray(intervals, dtype=np.int64).reshape(-1, 2),
                class_name=_xd_class_name(vid),
                num_frames=None)
    elif benchmark == 'shanghaitech':
        if mask_dir is None:
            mask_dir = osp.join(osp.dirname(path), 'test_frame_mask')
        entries = parse_shanghaitech_split(path)
        masks = load_shanghaitech_masks(
            mask_dir, [e['video'] for e in entries if e['is_anomaly']])
        for e in entries:
            vid = e['video']
            if e['is_anomaly']:
                mask = masks[vid]
                if e['num_frames'] is not None and e['num_frames'] != len(
                        mask):
                    raise ValueError(
                        f'{path}: video {vid!r} has {e["num_frames"]} frames '
                        f'but its mask has {len(mask)}')
                out[vid] = dict(
                    intervals=labels_to_intervals(mask),
                    class_name='Anomaly',
                    num_frames=len(mask))
            else:
                if e['num_frames'] is None:
                    raise ValueError(f'{path}: normal video {vid!r} has no '
                                     'frame count')
                out[vid] = dict(
                    intervals=np.zeros((0, 2), dtype=np.int64),
                    class_name='Normal',
                    num_frames=e['num_frames'])
    else:
        raise ValueError(
            f'benchmark must be one of {BENCHMARKS}, got {benchmark!r}')
    return out


def is_normal_video(benchmark: str, video: str, entry: Optional[dict]) -> bool:
    """Whether a test video is normal (no event), by benchmark convention.

    Args:
        benchmark (str): One of :data:`BENCHMARKS`.
        video (str): Video id.
        entry (dict, optional): Its :func:`load_test_annotations` entry, or
            None if the video is not in the annotation file.

    Returns:
        bool: XD-Violence: the name says ``label_A``; otherwise: the video
        has no annotated interval.
    """
    if benchmark == 'xd_violence':
        return is_xd_violence_normal(video)
    return entry is None or len(entry['intervals']) == 0
