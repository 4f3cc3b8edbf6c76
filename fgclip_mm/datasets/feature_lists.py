"""Readers of the snippet-feature lists the VAD community distributes.

Three sources, one record format (a dict per video, in list order):

* **path lists** (RTFM / MGFN / XD-Violence ``*.list``): one ``.npy`` path
  per line. RTFM's UCF-Crime and ShanghaiTech files hold one video per line,
  ``<video>_i3d.npy`` of shape ``(T, 10, 2048)``; XD-Violence's ``rgb.list``
  holds one line per crop file ``<video>__<k>.npy`` (``k`` = 0..4, each
  ``(T, 2048)``). Lines of the same video are grouped into one record.
* **VadCLIP CSV** (``path,label`` with a header): one row per crop file
  ``<video>__<k>.npy`` of shape ``(T, 512)``; ``label`` is the class name
  (UCF-Crime: ``Abuse`` ... ``Normal``) or XD-Violence's label codes.
* **our cache** ``index.json`` (``tools/extract_features.py``).

Paths in the public lists are absolute paths of the authors' machines
(``G:\\UCF_Train_ten_crop_i3d\\...`` or ``/home/yu/...``):
:func:`map_feature_path` maps them onto the user's feature folder.

Labels never come from a row's position (RTFM's code splits its lists at a
constant count, anomalous videos first and normal ones last): see
:func:`class_from_name`.
"""

import json
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

from ..annotations import (
    XD_VIOLENCE_LABEL_CODES,
    AnnotationError,
    is_normal_class,
    iter_lines,
    xd_violence_labels,
)

__all__ = [
    'feature_video_id',
    'read_path_list',
    'read_vadclip_csv',
    'read_cache_index',
    'map_feature_path',
    'class_from_name',
    'class_from_label_text',
    'detect_list_format',
]

_CROP_RE = re.compile(r'^(?P<video>.+)__(?P<crop>\d+)$')
_FEATURE_SUFFIXES = ('_i3d', '_clip', '_mgfn', '_rgb')


def feature_video_id(path: str) -> tuple:
    """Video id and crop index of a feature file.

    Args:
        path (str): A feature path as listed (``/`` or ``\\`` separators),
            e.g. ``'G:\\UCF_Test_ten_crop_i3d\\Abuse028_x264_i3d.npy'`` or
            ``'/x/Abuse/Abuse001_x264__3.npy'``.

    Returns:
        tuple[str, int | None]: ``('Abuse028_x264', None)`` /
        ``('Abuse001_x264', 3)``: the file stem without ``.npy``, a
        ``__<k>`` crop suffix (returned as the crop index) and a trailing
        feature tag (``_i3d``).
    """
    base = str(path).strip().replace('\\', '/').rsplit('/', 1)[-1]
    stem = base[:-4] if base.lower().endswith('.npy') else base
    crop = None
    match = _CROP_RE.match(stem)
    if match is not None:
        stem, crop = match.group('video'), int(match.group('crop'))
    for suffix in _FEATURE_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem, crop


def _add_file(
    groups: 'OrderedDict[str, dict]',
    path: str,
    lineno: int,
    list_file: str,
    line: str,
    label_text: Optional[str],
) -> None:
    """Add one listed file to its video's record (crops grouped)."""
    video, crop = feature_video_id(path)
    rec = groups.get(video)
    if rec is None:
        rec = groups[video] = dict(
            video_id=video,
            paths=[],
            crop_ids=[],
            lines=[],
            list_file=list_file,
            label_text=label_text,
        )
    elif crop is None or None in rec['crop_ids']:
        raise AnnotationError(
            list_file,
            lineno,
            f'video {video!r} is listed twice (first on line '
            f'{rec["lines"][0]})',
            line,
        )
    elif crop in rec['crop_ids']:
        raise AnnotationError(
            list_file,
            lineno,
            f'crop {crop} of video {video!r} is listed '
            f'twice (first on line {rec["lines"][rec["crop_ids"].index(crop)]}'
            ')',
            line,
        )
    elif label_text != rec['label_text']:
        raise AnnotationError(
            list_file,
            lineno,
            f'video {video!r} has label {label_text!r} here but '
            f'{rec["label_text"]!r} on line {rec["lines"][0]}',
            line,
        )
    rec['paths'].append(path)
    rec['crop_ids'].append(crop)
    rec['lines'].append(lineno)


def _sorted_crops(records: Sequence[dict]) -> List[dict]:
    """Order each record's crop files by crop index."""
    for rec in records:
        if rec['crop_ids'][0] is not None:
            order = sorted(
                range(len(rec['paths'])), key=lambda i: rec['crop_ids'][i]
            )
            for key in ('paths', 'crop_ids', 'lines'):
                rec[key] = [rec[key][i] for i in order]
    return list(records)


def read_path_list(path: str) -> List[dict]:
    """Read an RTFM / MGFN / XD-Violence list: one ``.npy`` path per line.

    Args:
        path (str): The list file (CRLF line ends and Windows paths are
            accepted).

    Returns:
        list[dict]: Per video, in first-appearance order: ``video_id``,
        ``paths`` (listed paths, by crop index), ``crop_ids`` (``[None]``
        for one file holding all crops, else the ``__<k>`` indices),
        ``lines`` (1-based line numbers), ``list_file`` and ``label_text``
        (None).
    """
    groups: 'OrderedDict[str, dict]' = OrderedDict()
    for lineno, line in iter_lines(path):
        item = line.strip()
        if not item.lower().endswith('.npy'):
            raise AnnotationError(
                path, lineno, 'expected the path of a .npy feature file', line
            )
        _add_file(groups, item, lineno, path, line, None)
    return _sorted_crops(groups.values())


def read_vadclip_csv(path: str) -> List[dict]:
    """Read a VadCLIP list: CSV ``path,label``, one row per crop file.

    Args:
        path (str): The CSV file (a first line ``path,label`` is a header).

    Returns:
        list[dict]: As :func:`read_path_list`, with ``label_text`` the
        ``label`` column (the same for every crop of a video, else an
        :class:`AnnotationError` naming the line).
    """
    groups: 'OrderedDict[str, dict]' = OrderedDict()
    for lineno, line in iter_lines(path):
        fields = [f.strip() for f in line.strip().split(',')]
        if lineno == 1 and fields[0].lower() == 'path':
            continue
        if len(fields) < 2 or not fields[0].lower().endswith('.npy'):
            raise AnnotationError(
                path, lineno, 'expected "path.npy,label"', line
            )
        _add_file(groups, fields[0], lineno, path, line, fields[1])
    return _sorted_crops(groups.values())


def read_cache_index(path: str, split: str) -> List[dict]:
    """Read one split of our feature cache's ``index.json``.

    Args:
        path (str): The ``index.json`` written by
            ``tools/extract_features.py``.
        split (str): ``'train'`` or ``'test'``.

    Returns:
        list[dict]: As :func:`read_path_list` (paths resolved against the
        index's folder, ``resolved=True``, one file per video) plus the
        index's ``class_name``,
        ``num_snippets``, ``total_frames``, ``fps`` and (test)
        ``anomaly_intervals``; each record's ``snippet_length`` is the
        index's.
    """
    with open(path, encoding='utf-8') as f:
        index = json.load(f)
    splits = index.get('splits', {})
    if split not in splits:
        raise AnnotationError(
            f'{path}: no split {split!r} in the feature '
            f'index (has {sorted(splits)})'
        )
    root = osp.dirname(osp.abspath(path))
    records = []
    for i, (video, entry) in enumerate(splits[split].items()):
        rec = dict(
            video_id=video,
            paths=[osp.join(root, entry['path'])],
            crop_ids=[None],
            lines=[i + 1],
            list_file=f'{path} [{split}]',
            label_text=entry.get('class_name'),
            resolved=True,
            snippet_length=int(index['snippet_length']),
        )
        for key in (
            'num_snippets',
            'total_frames',
            'fps',
            'anomaly_intervals',
        ):
            if key in entry:
                rec[key] = entry[key]
        records.append(rec)
    return records


def detect_list_format(path: str) -> str:
    """``'cache'`` (``.json``), ``'vadclip'`` (``.csv``) or ``'path_list'``
    (anything else: RTFM ``.list``/``.txt``)."""
    lower = path.lower()
    if lower.endswith('.json'):
        return 'cache'
    if lower.endswith('.csv'):
        return 'vadclip'
    return 'path_list'


def map_feature_path(
    path: str,
    path_map: Optional[Dict[str, str]] = None,
    feature_dir: str = '',
    keep_dirs: int = 0,
) -> str:
    """Map a listed feature path onto the local file system.

    Backslashes are turned into ``/`` first. Then the longest key of
    ``path_map`` that prefixes the path is replaced by its value; without a
    matching key, a set ``feature_dir`` receives the file name and its
    ``keep_dirs`` parent folders (``keep_dirs=1`` keeps VadCLIP's class
    folder: ``.../UCFClipFeatures/Abuse/Abuse001_x264__0.npy`` ->
    ``<feature_dir>/Abuse/Abuse001_x264__0.npy``); otherwise the path is
    returned as listed.

    Args:
        path (str): The listed path.
        path_map (dict[str, str], optional): Author prefix -> local folder,
            e.g. ``{'G:/UCF_Train_ten_crop_i3d/': 'data/ucf/i3d/train/'}``
            (keys may use either separator). Defaults to None.
        feature_dir (str): Local feature folder. Defaults to ``''``.
        keep_dirs (int): Parent folders kept under ``feature_dir``.
            Defaults to 0.

    Returns:
        str: The local path.
    """
    norm = str(path).strip().replace('\\', '/')
    if path_map:
        keys = sorted(
            ((k.replace('\\', '/'), v) for k, v in path_map.items()),
            key=lambda kv: -len(kv[0]),
        )
        for key, value in keys:
            if norm.startswith(key):
                rest = norm[len(key) :].lstrip('/')
                return osp.join(value, rest) if value else rest
    if feature_dir:
        parts = norm.split('/')
        tail = parts[-(keep_dirs + 1) :]
        return osp.join(feature_dir, *tail)
    return norm


def _match_class(name: str, classes: Sequence[str]) -> Optional[str]:
    lower = {c.lower(): c for c in classes}
    return lower.get(name.lower())


def class_from_label_text(text: str, classes: Sequence[str]) -> str:
    """Class of a list's label column: a class name of ``classes``
    (case-insensitive; any name with the word ``normal`` is ``classes[0]``)
    or XD-Violence codes (``'A'``, ``'B1-0-0'``: the first code's class).

    Raises:
        ValueError: The text names no class of ``classes``.
    """
    text = text.strip()
    if is_normal_class(text):
        return classes[0]
    found = _match_class(text, classes)
    if found is not None:
        return found
    codes = [c for c in re.split(r'[-\s]+', text) if c and c != '0']
    if codes and codes[0] in XD_VIOLENCE_LABEL_CODES:
        found = _match_class(XD_VIOLENCE_LABEL_CODES[codes[0]], classes)
        if codes[0] == 'A':
            return classes[0]
        if found is not None:
            return found
    raise ValueError(f'label {text!r} names no class of {tuple(classes)}')


def class_from_name(video_id: str, classes: Sequence[str]) -> Optional[str]:
    """Class of a video from its name, by the benchmarks' naming rules.

    In order: XD-Violence's ``_label_<codes>`` (``A`` = normal, else the
    first code's class); the word ``normal`` (UCF-Crime's
    ``Normal_Videos_941_x264`` and ``Normal_Videos001_x264``) -> the normal
    class ``classes[0]``; the leading letters (``Abuse028_x264`` ->
    ``Abuse``) or the part before the first ``_`` (demo's
    ``Explosion_test_000``) when they name a class of ``classes``.

    Args:
        video_id (str): The video id.
        classes (Sequence[str]): The class table, normal class first.

    Returns:
        str | None: The class name, or None when the name says nothing
        (ShanghaiTech's ``01_0015``: give a ``label_file``).
    """
    codes = xd_violence_labels(video_id)
    if codes:
        if codes[0] == 'A':
            return classes[0]
        name = XD_VIOLENCE_LABEL_CODES.get(codes[0])
        found = _match_class(name, classes) if name else None
        if found is None:
            raise ValueError(
                f'video {video_id!r}: label code {codes[0]!r} '
                f'names no class of {tuple(classes)}'
            )
        return found
    if is_normal_class(video_id.split('__')[0]):
        return classes[0]
    lead = re.match(r'[A-Za-z]+', video_id)
    for cand in (lead.group(0) if lead else None, video_id.split('_')[0]):
        if cand:
            found = _match_class(cand, classes)
            if found is not None:
                return found
    return None
