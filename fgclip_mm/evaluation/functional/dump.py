"""Per-video VAD result dumps (``.npz``, readable without pickle).

A dump holds, for every test video, the scores and labels under the
evaluation protocol, its class and frame count, plus JSON metadata (the
protocol, conventions and the metrics). It is one NumPy ``.npz`` archive
with only numeric and unicode arrays, so
``np.load(path, allow_pickle=False)`` reads it and loading never executes
code. Keys:

=================  ==========  ============================================
key                dtype       shape / meaning
=================  ==========  ============================================
``video_ids``      unicode     ``(V,)`` video ids, sorted
``class_names``    unicode     ``(V,)`` class of each video
``is_anomalous``   bool        ``(V,)`` True if the video has an event
``num_frames``     int64       ``(V,)`` frames of the whole video
``offsets``        int64       ``(V + 1,)`` video ``i`` is
                               ``scores[offsets[i]:offsets[i + 1]]``
``scores``         float64     ``(N,)`` concatenated protocol scores
``labels``         uint8       ``(N,)`` concatenated frame labels
``meta``           unicode     ``()`` JSON object: ``format_version``,
                               ``protocol``, ..., ``metrics``
=================  ==========  ============================================
"""

import json
import os
import os.path as osp
from typing import Any, Dict, Mapping, Optional, Tuple

import numpy as np

__all__ = [
    'DUMP_FORMAT_VERSION',
    'save_vad_dump',
    'load_vad_dump',
    'update_vad_dump_meta',
]

#: Version of the dump layout, stored in ``meta['format_version']``.
DUMP_FORMAT_VERSION = 1


def save_vad_dump(
    path: str,
    videos: Mapping[str, Mapping[str, Any]],
    meta: Optional[Mapping[str, Any]] = None,
) -> str:
    """Write per-video results to an ``.npz`` dump.

    Args:
        path (str): Output file; ``.npz`` is appended if missing. Parent
            folders are created.
        videos (Mapping[str, Mapping]): Video id to a dict with ``scores``
            (``(n,)`` float), ``labels`` (``(n,)`` 0/1), ``class_name`` (str)
            and optionally ``num_frames`` (int, defaults to ``n``) and
            ``is_anomalous`` (bool, defaults to ``labels.any()``).
        meta (Mapping, optional): JSON-serialisable metadata, e.g. the
            protocol and the metrics.

    Returns:
        str: The path written.
    """
    if not path.endswith('.npz'):
        path += '.npz'
    arrays = _dump_arrays(videos)
    full_meta = dict(format_version=DUMP_FORMAT_VERSION)
    full_meta.update(meta or {})
    arrays['meta'] = np.array(
        json.dumps(full_meta, allow_nan=True), dtype=np.str_
    )
    parent = osp.dirname(osp.abspath(path))
    os.makedirs(parent, exist_ok=True)
    # a killed run never leaves a half-written dump under the final name
    tmp = f'{path}.{os.getpid()}.tmp'
    try:
        with open(tmp, 'wb') as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return path


def _video_arrays(vid: str, entry: Mapping[str, Any]):
    scores = np.asarray(entry['scores'], dtype=np.float64).reshape(-1)
    labels = np.asarray(entry['labels']).reshape(-1).astype(np.uint8)
    if scores.shape != labels.shape:
        raise ValueError(
            f'video {vid!r}: scores {scores.shape} and labels '
            f'{labels.shape} differ in length'
        )
    return scores, labels


def _dump_arrays(videos: Mapping[str, Mapping[str, Any]]) -> Dict:
    """The arrays of a dump except ``meta``, videos sorted by id."""
    ids = sorted(videos)
    pairs = [_video_arrays(v, videos[v]) for v in ids]
    scores = [s for s, _ in pairs]
    labels = [lab for _, lab in pairs]
    entries = [videos[v] for v in ids]
    return dict(
        video_ids=np.array(ids, dtype=np.str_),
        class_names=np.array(
            [str(e.get('class_name') or '') for e in entries], dtype=np.str_
        ),
        is_anomalous=np.array(
            [
                bool(e.get('is_anomalous', lab.any()))
                for e, lab in zip(entries, labels)
            ],
            dtype=bool,
        ),
        num_frames=np.array(
            [
                int(e.get('num_frames', s.size))
                for e, s in zip(entries, scores)
            ],
            dtype=np.int64,
        ),
        offsets=np.cumsum([0] + [s.size for s in scores]).astype(np.int64),
        scores=np.concatenate(scores) if scores else np.zeros(0),
        labels=np.concatenate(labels) if labels else np.zeros(0, np.uint8),
    )


def load_vad_dump(
    path: str,
) -> Tuple[Dict[str, Dict[str, Any]], Dict[str, Any]]:
    """Read a dump written by :func:`save_vad_dump` (no pickle involved).

    Args:
        path (str): The ``.npz`` file.

    Returns:
        tuple[dict, dict]: ``videos``: video id to ``dict(scores=(n,)
        float64, labels=(n,) uint8, class_name=str, num_frames=int,
        is_anomalous=bool)``, sorted by id; and the ``meta`` dict.
    """
    with np.load(path, allow_pickle=False) as data:
        missing = {
            'video_ids',
            'class_names',
            'is_anomalous',
            'num_frames',
            'offsets',
            'scores',
            'labels',
            'meta',
        } - set(data.files)
        if missing:
            raise ValueError(
                f'{path} is not a VAD dump: missing keys {sorted(missing)}'
            )
        meta = json.loads(str(data['meta']))
        offsets = data['offsets']
        scores, labels = data['scores'], data['labels']
        videos = {}
        for i, vid in enumerate(data['video_ids'].tolist()):
            sl = slice(int(offsets[i]), int(offsets[i + 1]))
            videos[vid] = dict(
                scores=scores[sl],
                labels=labels[sl],
                class_name=str(data['class_names'][i]),
                num_frames=int(data['num_frames'][i]),
                is_anomalous=bool(data['is_anomalous'][i]),
            )
    return videos, meta


def update_vad_dump_meta(path: str, extra: Mapping[str, Any]) -> str:
    """Add keys to the ``meta`` of an existing dump (rewritten atomically;
    the per-video arrays are unchanged), e.g. the training run's cost.

    Args:
        path (str): The ``.npz`` dump.
        extra (Mapping): JSON-serialisable keys merged into ``meta``.

    Returns:
        str: The path written.
    """
    videos, meta = load_vad_dump(path)
    meta.update(extra)
    return save_vad_dump(path, videos, meta=meta)
