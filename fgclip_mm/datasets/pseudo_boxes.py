"""Pseudo boxes from a file: a detector's per-frame boxes (e.g. persons) for
the regions that have no annotated boxes (ablation D of the seed plan).

The file is JSON (see ``docs/data_preparation.md``)::

    {"format": "fgclip_mm.pseudo_boxes", "version": 1,
     "source": "free text, e.g. the detector and its settings",
     "videos": {
       "Normal_Videos_003_x264": [
         [frame, x1, y1, x2, y2, score],   # one row per detection
         ...],
       ...}}

``frame`` is the 0-based frame index of the video, the box is normalised
x1y1x2y2 in ``[0, 1]`` of the whole frame and ``score`` the detector's
confidence; a frame may have several rows, a frame without detections has
none. Videos are keyed by their id (the file stem, as the dataset's
``video_id``). ``tools/data/convert_detections.py`` writes it from COCO-style
results or MOT text files.

:func:`load_pseudo_boxes` reduces each video's detections to one box per
frame (the union or the most confident one) in the keyframe layout of the
FG-CLIP VAD annotation (``dict(frame=int, bbox=[x1, y1, x2, y2])``), so that
the region-box transforms interpolate them like annotated keyframes.
"""

import json
import os
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from ..annotations import AnnotationError

__all__ = [
    'PSEUDO_BOXES_FORMAT',
    'load_pseudo_boxes',
    'reduce_detections',
    'save_pseudo_boxes',
]

#: Value of the file's ``format`` key; ``version`` is 1.
PSEUDO_BOXES_FORMAT = 'fgclip_mm.pseudo_boxes'
REDUCTIONS = ('union', 'top')


def save_pseudo_boxes(
    path: str,
    videos: Mapping[str, Sequence[Sequence[float]]],
    source: str = '',
) -> str:
    """Write detections in the pseudo-box format (atomically).

    Args:
        path (str): Output JSON file.
        videos (Mapping[str, Sequence]): Video id to rows
            ``[frame, x1, y1, x2, y2, score]`` (normalised box).
        source (str): Free text describing where the boxes come from.

    Returns:
        str: The path written.
    """
    rows = {
        vid: [[int(r[0])] + [round(float(v), 6) for v in r[1:6]] for r in dets]
        for vid, dets in sorted(videos.items())
    }
    data = dict(
        format=PSEUDO_BOXES_FORMAT, version=1, source=source, videos=rows
    )
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, separators=(',', ':'))
    os.replace(tmp, path)
    return path


def _check_rows(path: str, vid: str, rows) -> np.ndarray:
    """The rows of one video as a float64 ``(K, 6)`` array, validated."""
    arr = (
        np.asarray(rows, dtype=np.float64).reshape(-1, 6)
        if rows
        else (np.zeros((0, 6)))
    )
    if len(arr) and (
        np.any(arr[:, 0] < 0)
        or np.any(arr[:, 1:5] < -0.01)
        or np.any(arr[:, 1:5] > 1.01)
        or np.any(arr[:, 3] <= arr[:, 1])
        or np.any(arr[:, 4] <= arr[:, 2])
    ):
        raise AnnotationError(
            f'{path}: video {vid!r} has a row with a negative frame or a box '
            'that is not normalised x1y1x2y2 with x1 < x2, y1 < y2 in [0, 1]'
        )
    return arr


def reduce_detections(
    rows: np.ndarray, score_thr: float = 0.0, reduce: str = 'union'
) -> List[dict]:
    """One box per frame from a video's detections.

    Args:
        rows (np.ndarray): ``(K, 6)`` rows ``frame, x1, y1, x2, y2, score``.
        score_thr (float): Detections below this score are ignored.
            Defaults to 0.
        reduce (str): ``'union'`` (the box enclosing every detection of the
            frame) or ``'top'`` (the most confident one). Defaults to
            ``'union'``.

    Returns:
        list[dict]: ``dict(frame=int, bbox=[x1, y1, x2, y2])`` sorted by
        frame, boxes clamped to ``[0, 1]``.
    """
    if reduce not in REDUCTIONS:
        raise ValueError(f'reduce must be one of {REDUCTIONS}, got {reduce!r}')
    rows = rows[rows[:, 5] >= score_thr]
    keyframes = []
    for frame in np.unique(rows[:, 0]).astype(np.int64):
        dets = rows[rows[:, 0] == frame]
        if reduce == 'top':
            box = dets[np.argmax(dets[:, 5]), 1:5]
        else:
            box = np.concatenate([dets[:, 1:3].min(0), dets[:, 3:5].max(0)])
        box = np.clip(box, 0.0, 1.0)
        keyframes.append(dict(frame=int(frame), bbox=box.tolist()))
    return keyframes


def load_pseudo_boxes(
    path: str,
    score_thr: float = 0.0,
    reduce: str = 'union',
    video_ids: Optional[Sequence[str]] = None,
) -> Dict[str, List[dict]]:
    """Read a pseudo-box file as keyframes per video.

    Args:
        path (str): The JSON file (format in the module docstring).
        score_thr (float): Minimum detection score. Defaults to 0.
        reduce (str): ``'union'`` or ``'top'``
            (:func:`reduce_detections`). Defaults to ``'union'``.
        video_ids (Sequence[str], optional): Keep only these videos.

    Returns:
        dict[str, list[dict]]: Video id to ``dict(frame, bbox)`` keyframes
        (videos without a detection above the threshold map to ``[]``).

    Raises:
        AnnotationError: The file is not in the pseudo-box format.
    """
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, dict) or data.get('format') != (
        PSEUDO_BOXES_FORMAT
    ):
        raise AnnotationError(
            f'{path}: not a pseudo-box file (expected "format": '
            f'"{PSEUDO_BOXES_FORMAT}"; write it with '
            'tools/data/convert_detections.py)'
        )
    if data.get('version') != 1:
        raise AnnotationError(
            f'{path}: unsupported pseudo-box version {data.get("version")!r}'
        )
    keep = None if video_ids is None else set(video_ids)
    return {
        vid: reduce_detections(_check_rows(path, vid, rows), score_thr, reduce)
        for vid, rows in data.get('videos', {}).items()
        if keep is None or vid in keep
    }
