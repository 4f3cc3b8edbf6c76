"""Test-set ground truth of the VAD benchmarks, from official files.

:func:`load_test_annotations` turns the official annotation files of
UCF-Crime, XD-Violence, ShanghaiTech (weakly supervised split) and MSAD into
one uniform mapping ``video id -> dict(intervals, class_name, num_frames)``
that the ground-truth builder (``tools/data/build_gt.py``) and datasets share.
"""

import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional

import numpy as np

from ...annotations import (
    XD_VIOLENCE_LABEL_CODES,
    is_xd_violence_normal,
    load_shanghaitech_masks,
    msad_class_of,
    parse_msad_annotations,
    parse_shanghaitech_split,
    parse_ucf_crime_annotations,
    parse_xd_violence_annotations,
    xd_violence_labels,
)
from .ground_truth import labels_to_intervals

__all__ = ['BENCHMARKS', 'load_test_annotations', 'is_normal_video']

#: Benchmarks understood by :func:`load_test_annotations`.
BENCHMARKS = ('ucf_crime', 'xd_violence', 'shanghaitech', 'msad')


def _xd_class_name(video: str) -> str:
    codes = xd_violence_labels(video)
    if not codes:
        return ''
    return XD_VIOLENCE_LABEL_CODES.get(codes[0], codes[0])


def load_test_annotations(
    benchmark: str, path: str, mask_dir: Optional[str] = None
) -> Dict[str, dict]:
    """Per-video test ground truth of a benchmark.

    Args:
        benchmark (str): ``'ucf_crime'`` (``path`` is
            ``Temporal_Anomaly_Annotation_for_Testing_Videos.txt`` or
            ``test_annotations_with_frame_counts.txt``), ``'xd_violence'``
            (``annotations.txt``; lists violent videos only) or
            ``'shanghaitech'`` (a weak split list such as
            ``SH_Test_NEW.txt``; frame masks of the anomalous videos in
            ``mask_dir``) or ``'msad'`` (the official
            ``anomaly_annotation.csv``, anomalous videos only, or the
            UCF-format file of ``tools/data/convert_msad.py``, all test
            videos).
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
    if benchmark not in _LOADERS:
        raise ValueError(
            f'benchmark must be one of {BENCHMARKS}, got {benchmark!r}'
        )
    return _LOADERS[benchmark](path, mask_dir)


def _intervals(pairs) -> np.ndarray:
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def _ucf_crime(path: str, mask_dir: Optional[str]) -> Dict[str, dict]:
    return OrderedDict(
        (
            vid,
            dict(
                intervals=_intervals(entry['intervals']),
                class_name=entry['class_name'],
                num_frames=entry['num_frames'],
            ),
        )
        for vid, entry in parse_ucf_crime_annotations(path).items()
    )


def _xd_violence(path: str, mask_dir: Optional[str]) -> Dict[str, dict]:
    return OrderedDict(
        (
            vid,
            dict(
                intervals=_intervals(intervals),
                class_name=_xd_class_name(vid),
                num_frames=None,
            ),
        )
        for vid, intervals in parse_xd_violence_annotations(path).items()
    )


def _shanghaitech_entry(
    path: str, entry: dict, mask: Optional[np.ndarray]
) -> dict:
    vid, num_frames = entry['video'], entry['num_frames']
    if mask is None:
        if num_frames is None:
            raise ValueError(
                f'{path}: normal video {vid!r} has no frame count'
            )
        return dict(
            intervals=_intervals([]),
            class_name='Normal',
            num_frames=num_frames,
        )
    if num_frames is not None and num_frames != len(mask):
        raise ValueError(
            f'{path}: video {vid!r} has {num_frames} frames but '
            f'its mask has {len(mask)}'
        )
    return dict(
        intervals=labels_to_intervals(mask),
        class_name='Anomaly',
        num_frames=len(mask),
    )


def _shanghaitech(path: str, mask_dir: Optional[str]) -> Dict[str, dict]:
    if mask_dir is None:
        mask_dir = osp.join(osp.dirname(path), 'test_frame_mask')
    entries = parse_shanghaitech_split(path)
    masks = load_shanghaitech_masks(
        mask_dir, [e['video'] for e in entries if e['is_anomaly']]
    )
    return OrderedDict(
        (e['video'], _shanghaitech_entry(path, e, masks.get(e['video'])))
        for e in entries
    )


def _msad(path: str, mask_dir: Optional[str]) -> Dict[str, dict]:
    if path.endswith(('.csv', '.csv.gz', '.tsv', '.tsv.gz')):
        entries = parse_msad_annotations(path)
    else:  # the converted UCF-format file: any number of events per line
        entries = parse_ucf_crime_annotations(path, None)
    return OrderedDict(
        (
            vid,
            dict(
                intervals=_intervals(entry['intervals']),
                class_name=entry['class_name'],
                num_frames=entry['num_frames'],
            ),
        )
        for vid, entry in entries.items()
    )


_LOADERS = dict(
    ucf_crime=_ucf_crime,
    xd_violence=_xd_violence,
    shanghaitech=_shanghaitech,
    msad=_msad,
)


def is_normal_video(benchmark: str, video: str, entry: Optional[dict]) -> bool:
    """Whether a test video is normal (no event), by benchmark convention.

    Args:
        benchmark (str): One of :data:`BENCHMARKS`.
        video (str): Video id.
        entry (dict, optional): Its :func:`load_test_annotations` entry, or
            None if the video is not in the annotation file.

    Returns:
        bool: XD-Violence: the name says ``label_A``; MSAD: the video has no
        annotated interval, or is not annotated and its name is not an
        anomaly class's (``MSAD_normal_testing_3``); otherwise: the video
        has no annotated interval.
    """
    if benchmark == 'xd_violence':
        return is_xd_violence_normal(video)
    if benchmark == 'msad' and entry is None:
        try:
            return msad_class_of(video) == 'Normal'
        except ValueError:
            return True
    return entry is None or len(entry['intervals']) == 0
