"""Pre-extracted snippet features (ours or the community's) as an MMAction2
dataset, for the weakly supervised baselines (MIL, RTFM, AR-Net, VadCLIP)."""

import os.path as osp
from collections import Counter
from typing import Callable, Dict, List, Optional, Union

import numpy as np
from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmengine.logging import print_log

from ..annotations import (
    UCF_CRIME_CLASSES,
    AnnotationError,
    parse_shanghaitech_split,
    parse_ucf_test_annotations,
    video_stem,
)
from .feature_lists import (
    class_from_label_text,
    class_from_name,
    detect_list_format,
    map_feature_path,
    read_cache_index,
    read_path_list,
    read_vadclip_csv,
)

_READERS = dict(path_list=read_path_list, vadclip=read_vadclip_csv)


def _read_label_file(path: str, classes: tuple) -> Dict[str, str]:
    """Video id -> class name from a ShanghaiTech split list
    (``name,label[,frames]``: 1 = ``classes[1]``) or a UCF-format
    annotation file (class column)."""
    with open(path, encoding='utf-8') as f:
        first = next((ln for ln in f if ln.strip()), '')
    if ',' in first:
        if len(classes) != 2:
            raise ValueError(
                f'label_file {path} has 0/1 labels (ShanghaiTech split) but '
                f'the dataset has {len(classes)} classes {classes}; use '
                "metainfo=dict(classes=('Normal', 'Anomaly'))"
            )
        return {
            e['video']: classes[int(e['is_anomaly'])]
            for e in parse_shanghaitech_split(path)
        }
    return {
        r['video_id']: class_from_label_text(r['class_name'], classes)
        for r in parse_ucf_test_annotations(path)
    }


@DATASETS.register_module()
class SnippetFeatureDataset(BaseActionDataset):
    """Snippet features of whole videos with video-level labels.

    One sample per video (or per crop file with ``split_crops``); the
    features are loaded and sampled by the pipeline
    (:class:`~fgclip_mm.datasets.transforms.LoadSnippetFeatures`, then
    ``SampleSnippetSegments`` / ``SampleSnippetsMaxLen`` in training, and
    ``PackSnippetInputs``); see ``docs/baselines.md`` for the layouts.

    Sources (``list_format``, ``'auto'`` picks by extension):

    * ``'cache'``: our ``index.json`` (``tools/extract_features.py``), split
      ``split``; arrays ``(T, C, D)``.
    * ``'path_list'``: RTFM / MGFN / XD-Violence lists, one ``.npy`` path per
      line: ``<video>_i3d.npy`` ``(T, 10, 2048)`` or per-crop files
      ``<video>__<k>.npy`` ``(T, D)`` grouped into ``(T, C, D)``.
    * ``'vadclip'``: VadCLIP's CSV ``path,label`` of per-crop files
      ``<video>__<k>.npy`` ``(T, 512)``, grouped into ``(T, C, 512)``.

    **Labels** never come from a row's position. RTFM's code splits its
    lists at a constant (UCF-Crime train: the first 810 lines anomalous, the
    rest normal; ShanghaiTech train: 63) -- here a video is normal when its
    name has the word ``normal`` (UCF-Crime) or ``_label_A`` (XD-Violence),
    otherwise its class is the leading letters of its name looked up in
    ``metainfo['classes']`` (``Abuse028_x264`` -> ``Abuse``); a list's label
    column (VadCLIP) or the cache's class must agree with the name. Names
    that carry no class (ShanghaiTech's ``01_0015``) need ``label_file``;
    a video it lacks is an error naming the list line, never a guess.

    Args:
        ann_file (str): The list / index file.
        pipeline (list[dict | callable]): Transforms.
        list_format (str): ``'auto'``, ``'cache'``, ``'path_list'`` or
            ``'vadclip'``. Defaults to ``'auto'``.
        split (str, optional): Cache split; defaults to ``'test'`` in test
            mode, else ``'train'``.
        data_prefix (dict): ``dict(feature=DIR)``: local feature folder the
            listed file names are looked up in (see ``path_map``; relative
            to ``data_root``, so with a ``data_root`` an empty prefix means
            ``data_root`` itself). Defaults to ``dict(feature='')`` (paths
            as listed). Not used for the cache (paths relative to its
            index).
        path_map (dict[str, str], optional): Authors' path prefix -> local
            folder (longest match first), e.g.
            ``{'G:\\\\UCF_Train_ten_crop_i3d\\\\': 'data/ucf/i3d/train'}``.
            Defaults to None.
        keep_dirs (int): Parent folders of a listed path kept under
            ``data_prefix['feature']`` (1 for VadCLIP's class folders).
            Defaults to 0.
        label_file (str, optional): Video labels for names without a class:
            a ShanghaiTech split list (``SH_Train_new.txt``, 1 = anomalous)
            or a UCF-format annotation. Overrides the name. Defaults to None.
        test_ann_file (str, optional): Test mode: UCF-format test annotation
            (``name class s1 e1 ... [num_frames]``, our converters write it
            for all three benchmarks) giving ``anomaly_intervals``. Without
            it the cache index's intervals are used; an anomalous video with
            no intervals is an error. Defaults to None.
        snippet_length (int): Frames per snippet (the cache's value wins).
            Defaults to 16.
        split_crops (bool): One sample per crop file (VadCLIP trains on its
            10 crop files as 10 videos). Defaults to False.
        extend_last_interval (bool): Test mode: an event reaching the video's
            last real frame extends to the end of its last snippet, the
            label padding of RTFM's ShanghaiTech ``gt-sh.npy`` (features
            cover ``ceil(frames / 16)`` snippets). Defaults to False.
        check_files (bool): Check at load time that every feature file
            exists. Defaults to True.
        test_mode (bool): Defaults to False.
        **kwargs: :class:`mmaction.datasets.BaseActionDataset` arguments
            (``data_root``, ``metainfo=dict(classes=...)``).
    """

    METAINFO = dict(classes=UCF_CRIME_CLASSES)

    def __init__(
        self,
        ann_file: str,
        pipeline: List[Union[dict, Callable]],
        list_format: str = 'auto',
        split: Optional[str] = None,
        data_prefix: dict = dict(feature=''),
        path_map: Optional[Dict[str, str]] = None,
        keep_dirs: int = 0,
        label_file: Optional[str] = None,
        test_ann_file: Optional[str] = None,
        snippet_length: int = 16,
        split_crops: bool = False,
        extend_last_interval: bool = False,
        check_files: bool = True,
        test_mode: bool = False,
        **kwargs,
    ) -> None:
        if list_format not in ('auto', 'cache', 'path_list', 'vadclip'):
            raise ValueError(
                "list_format must be 'auto', 'cache', "
                f"'path_list' or 'vadclip', got {list_format!r}"
            )
        self.list_format = list_format
        self.split = split or ('test' if test_mode else 'train')
        self.path_map = path_map
        self.keep_dirs = keep_dirs
        self.label_file = label_file
        self.test_ann_file = test_ann_file
        self.snippet_length = snippet_length
        self.split_crops = split_crops
        self.extend_last_interval = extend_last_interval
        self.check_files = check_files
        self.summary: Dict[str, object] = {}
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs,
        )

    @property
    def classes(self) -> tuple:
        return tuple(self.metainfo['classes'])

    def _local(self, path: Optional[str]) -> Optional[str]:
        root = getattr(self, 'data_root', None)
        if (
            path
            and root
            and not osp.isabs(path)
            and osp.exists(osp.join(root, path))
        ):
            return osp.join(root, path)
        return path

    # ---------------------------------------------------------------- labels
    def _class_of(self, rec: dict, labels: Optional[Dict[str, str]]) -> str:
        where = f'{rec["list_file"]}:{rec["lines"][0]}'
        if labels is not None:
            if rec['video_id'] not in labels:
                raise AnnotationError(
                    f'{where}: video {rec["video_id"]!r} is not in '
                    f'label_file {self.label_file}'
                )
            return labels[rec['video_id']]
        try:
            by_name = class_from_name(rec['video_id'], self.classes)
            by_text = (
                None
                if rec['label_text'] is None
                else class_from_label_text(rec['label_text'], self.classes)
            )
        except ValueError as e:
            raise AnnotationError(f'{where}: {e}') from None
        if by_text is not None and by_name is not None and by_text != by_name:
            raise AnnotationError(
                f'{where}: video {rec["video_id"]!r} is labelled '
                f'{rec["label_text"]!r} but its name says {by_name!r}'
            )
        if by_text is None and by_name is None:
            raise AnnotationError(
                f'{where}: the name of video {rec["video_id"]!r} names no '
                f'class of {self.classes}; give label_file'
            )
        return by_text or by_name

    # ------------------------------------------------------------- test info
    def _test_annotations(self) -> Dict[str, dict]:
        if not self.test_ann_file:
            return {}
        return {
            r['video_id']: r
            for r in parse_ucf_test_annotations(
                self._local(self.test_ann_file)
            )
        }

    def _add_test_fields(
        self, info: dict, rec: dict, anns: Dict[str, dict]
    ) -> None:
        ann = anns.get(rec['video_id'])
        if ann is not None:
            intervals = ann['anomaly_intervals']
            info['real_total_frames'] = ann['total_frames']
        elif rec.get('anomaly_intervals') is not None:
            intervals = rec['anomaly_intervals']
            info['real_total_frames'] = rec.get('total_frames')
        elif not info['is_anomaly']:
            intervals = np.zeros((0, 2), np.int64)
            info['real_total_frames'] = rec.get('total_frames')
        else:
            raise AnnotationError(
                f'{rec["list_file"]}:{rec["lines"][0]}: anomalous test '
                f'video {rec["video_id"]!r} has no anomaly intervals (not in '
                f'test_ann_file {self.test_ann_file})'
            )
        info['anomaly_intervals'] = np.asarray(
            intervals, dtype=np.int64
        ).reshape(-1, 2)
        info['extend_last_interval'] = self.extend_last_interval

    # ------------------------------------------------------------------ load
    def _read_records(self) -> List[dict]:
        fmt = self.list_format
        if fmt == 'auto':
            fmt = detect_list_format(self.ann_file)
        if fmt == 'cache':
            return read_cache_index(self.ann_file, self.split)
        return _READERS[fmt](self.ann_file)

    def _map_paths(self, rec: dict) -> List[str]:
        feature_dir = self.data_prefix.get('feature', '') or ''
        out = []
        for path, line in zip(rec['paths'], rec['lines']):
            local = (
                path
                if rec.get('resolved')
                else map_feature_path(
                    path, self.path_map, feature_dir, self.keep_dirs
                )
            )
            if self.check_files and not osp.isfile(local):
                raise FileNotFoundError(
                    f'{rec["list_file"]}:{line}: feature file not found: '
                    f'{local} (listed as {path!r})'
                )
            out.append(local)
        return out

    def _split(self, info: dict) -> List[dict]:
        if not self.split_crops:
            return [info]
        if info['crop_ids'][0] is None:
            raise ValueError(
                f'{info["list_file"]}: split_crops needs one file per crop '
                f'(<video>__<k>.npy); video {info["video_id"]!r} has one file'
            )
        out = []
        for path, crop, line in zip(
            info['feature_paths'], info['crop_ids'], info['list_lines']
        ):
            out.append(
                dict(
                    info,
                    feature_paths=[path],
                    crop_ids=[crop],
                    list_lines=[line],
                    sample_id=f'{info["video_id"]}__{crop}',
                )
            )
        return out

    def load_data_list(self) -> List[dict]:
        """One dict per video: ``video_id``, ``feature_paths``, ``crop_ids``,
        ``label``, ``class_name``, ``is_anomaly``, ``snippet_length``,
        ``list_file``, ``list_lines``; test mode adds ``anomaly_intervals``
        (np.int64 ``(K, 2)``, half-open frames), ``real_total_frames`` (int
        or None) and ``extend_last_interval``."""
        records = self._read_records()
        labels = (
            _read_label_file(self._local(self.label_file), self.classes)
            if self.label_file
            else None
        )
        anns = self._test_annotations() if self.test_mode else {}
        data_list = []
        for rec in records:
            class_name = self._class_of(rec, labels)
            label = self.classes.index(class_name)
            info = dict(
                video_id=rec['video_id'],
                feature_paths=self._map_paths(rec),
                crop_ids=list(rec['crop_ids']),
                label=label,
                class_name=class_name,
                is_anomaly=label != 0,
                snippet_length=int(
                    rec.get('snippet_length', self.snippet_length)
                ),
                list_file=rec['list_file'],
                list_lines=list(rec['lines']),
            )
            if self.test_mode:
                self._add_test_fields(info, rec, anns)
            data_list.extend(self._split(info))
        self._summarise(data_list)
        return data_list

    def _summarise(self, data_list: List[dict]) -> None:
        normal = [not d['is_anomaly'] for d in data_list]
        first_normal = normal.index(True) if any(normal) else len(normal)
        self.summary = dict(
            num_samples=len(data_list),
            num_normal=sum(normal),
            num_anomalous=len(normal) - sum(normal),
            normal_last=all(normal[first_normal:]),
            classes=dict(Counter(d['class_name'] for d in data_list)),
        )
        print_log(
            f'SnippetFeatureDataset({video_stem(self.ann_file)}, '
            f'{"test" if self.test_mode else "train"}): {self.summary}',
            logger='current',
        )
