"""Frame-level video anomaly detection metric."""

import math
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement

from ...annotations import read_lengths
from ..functional import (
    AP_CONVENTIONS,
    INTERP_MODES,
    INTERVAL_CONVENTIONS,
    PROTOCOLS,
    apply_protocol,
    average_precision,
    build_video_labels,
    check_smooth_kernel,
    far_at_recall,
    far_at_threshold,
    intervals_to_labels,
    merged_frame_scores,
    per_class_roc_auc,
    roc_auc,
    save_vad_dump,
)


def _to_numpy(value: Any) -> np.ndarray:
    """Detach a tensor / array / sequence to a CPU numpy array."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _to_scalar(value: Any) -> Any:
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return value.reshape(-1)[0].item()
    return value


#: Fields every data sample must carry (docs/interfaces.md).
_REQUIRED_KEYS = (
    'video_id',
    'frame_inds',
    'pred_frame_scores',
    'total_frames',
)


@METRICS.register_module()
class VADMetric(BaseMetric):
    """Frame-level video anomaly detection metric (AUC, AP, FAR).

    Each test clip brings the scores of its sampled frames together with its
    video's own ground truth (``anomaly_intervals``, ``total_frames``,
    ``class_name``, see ``docs/interfaces.md``), so results gathered from any
    number of ranks, in any order, give the same numbers. After collection,
    the clips are grouped by ``video_id``; the scores of a frame sampled by
    several clips are averaged (a clip record received twice, e.g. from
    sampler padding, counts once); the merged scores are smoothed over the
    whole video (``smooth_kernel``), expanded to every frame, aggregated by
    the ``protocol``, and the labels of the video are built from its
    intervals. Videos are concatenated in sorted id order.

    Reported (with the ``vad/`` prefix):

    - ``AUC``: frame ROC AUC over all test videos.
    - ``AP``: frame average precision in the ``ap_convention``.
    - ``AUC_A``: frame ROC AUC over the anomalous videos only.
    - ``FAR``: fraction of normal-video frames scoring ``>= far_threshold``.
    - ``FAR@95`` and ``FAR@95_threshold``: the FAR at the largest threshold
      whose frame recall is at least ``recall_for_far`` (the key follows
      the recall, e.g. ``FAR@90``).
    - ``AUC/<class>`` (if ``per_class``): ROC AUC over the anomalous videos
      of the class plus all normal videos.
    - ``num_videos``, ``num_frames``: the evaluated pool.

    A video is anomalous when its intervals mark at least one of its frames.
    Metrics that are undefined on the pool (no anomalous or no normal
    frame) are NaN, with a warning.

    Args:
        protocol (str): How frame scores are turned into evaluated scores:
            ``'frame'`` (every real frame), ``'snippet16'`` (mean per
            16-frame snippet repeated x16, trailing partial snippet dropped)
            or ``'segments32'`` (mean per Sultani's 32 segments). Defaults
            to ``'frame'``.
        ap_convention (str): ``'sklearn'`` (``average_precision_score``,
            the default) or ``'pr_auc'`` (``auc(recall, precision)``).
        interval_convention (str): ``'half_open'`` (``[start, end)``, the
            community's label files; default) or ``'inclusive'``.
        far_threshold (float): Threshold of ``FAR``. Defaults to 0.5.
        recall_for_far (float): Frame recall of ``FAR@95``; default 0.95.
        score_interp (str): Filling of the frames between sampled frames,
            ``'linear'`` or ``'nearest'``. Defaults to ``'linear'``.
        smooth_kernel (int): Centred moving average (odd, in sampled
            frames) of a video's merged scores, across clip boundaries, edges
            repeated (``functional.smooth_video_scores``). Defaults to 1.
        per_class (bool): Report per-class AUC. Defaults to True.
        label_lengths_file (str, optional): Per-video evaluated lengths
            (``video,label_frames`` CSV, e.g. UCF-Crime's
            ``test_snippet16_lengths.csv``): scores and labels are cut to it
            after the protocol, as label arrays built from feature counts
            are. Every evaluated video must be listed, with a length no
            longer than the protocol's. Defaults to None.
        dump_file (str, optional): Write per-video scores and labels there
            (``.npz``, ``functional.save_vad_dump``). Defaults to None.
        collect_device (str): Device used to collect results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to ``'vad'``.
        collect_dir (str, optional): Collection directory (cpu collect).
    """

    default_prefix: Optional[str] = 'vad'

    def __init__(
        self,
        protocol: str = 'frame',
        ap_convention: str = 'sklearn',
        interval_convention: str = 'half_open',
        far_threshold: float = 0.5,
        recall_for_far: float = 0.95,
        score_interp: str = 'linear',
        smooth_kernel: int = 1,
        per_class: bool = True,
        label_lengths_file: Optional[str] = None,
        dump_file: Optional[str] = None,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir,
        )
        for name, value, allowed in (
            ('protocol', protocol, PROTOCOLS),
            ('ap_convention', ap_convention, AP_CONVENTIONS),
            ('interval_convention', interval_convention, INTERVAL_CONVENTIONS),
            ('score_interp', score_interp, INTERP_MODES),
        ):
            if value not in allowed:
                raise ValueError(
                    f'{name} must be one of {allowed}, got {value!r}'
                )
        if not 0.0 < recall_for_far <= 1.0:
            raise ValueError(
                f'recall_for_far must be in (0, 1], got {recall_for_far}'
            )
        self.protocol = protocol
        self.ap_convention = ap_convention
        self.interval_convention = interval_convention
        self.far_threshold = float(far_threshold)
        self.recall_for_far = float(recall_for_far)
        self.score_interp = score_interp
        self.smooth_kernel = check_smooth_kernel(smooth_kernel)
        self.per_class = per_class
        self.label_lengths = (
            read_lengths(label_lengths_file) if label_lengths_file else None
        )
        self.label_lengths_file = label_lengths_file
        self.dump_file = dump_file

    @property
    def far_recall_key(self) -> str:
        """Name of the FAR-at-recall metric, e.g. ``'FAR@95'``."""
        return f'FAR@{self.recall_for_far * 100:g}'

    def _class_name(self, sample: dict) -> Optional[str]:
        """The sample's ``class_name``, else its ``gt_label`` looked up in
        ``dataset_meta['classes']``, else None."""
        name = sample.get('class_name')
        if name is not None:
            return str(name)
        label = sample.get('gt_label')
        classes = (self.dataset_meta or {}).get('classes')
        if label is not None and classes is not None:
            return str(classes[int(_to_scalar(label))])
        return None

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Keep what the metric needs of each clip, as CPU numpy.

        Args:
            data_batch (Any): A batch from the dataloader (unused).
            data_samples (Sequence[dict | ActionDataSample]): Model outputs
                with ``video_id``, ``frame_inds`` (T,), ``pred_frame_scores``
                (T,), ``total_frames``, ``anomaly_intervals`` (K, 2) and
                ``class_name``.
        """
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            self.results.append(self._clip_record(sample))

    def _clip_record(self, sample: dict) -> dict:
        """One clip's fields as CPU numpy, checked."""
        missing = [k for k in _REQUIRED_KEYS if sample.get(k) is None]
        if missing:
            raise KeyError(
                f'VADMetric: data sample of video {sample.get("video_id")!r} '
                f'lacks {missing}; see docs/interfaces.md'
            )
        frame_inds = _to_numpy(sample['frame_inds']).astype(np.int64)
        scores = _to_numpy(sample['pred_frame_scores']).astype(np.float64)
        frame_inds, scores = frame_inds.reshape(-1), scores.reshape(-1)
        if frame_inds.shape != scores.shape:
            raise ValueError(
                f'video {sample["video_id"]!r}: frame_inds '
                f'{frame_inds.shape} and pred_frame_scores {scores.shape} '
                'are not aligned'
            )
        intervals = sample.get('anomaly_intervals')
        intervals = (
            np.zeros((0, 2), np.int64)
            if intervals is None
            else _to_numpy(intervals).astype(np.int64).reshape(-1, 2)
        )
        return dict(
            video_id=str(sample['video_id']),
            frame_inds=frame_inds,
            scores=scores,
            total_frames=int(_to_scalar(sample['total_frames'])),
            anomaly_intervals=intervals,
            class_name=self._class_name(sample),
        )

    def _merge_videos(self, results: List[dict]) -> Dict[str, dict]:
        """Group clips by video, drop repeated clip records, check that the
        clips of a video agree on its ground truth.

        Returns:
            dict: Video id (sorted) to ``dict(frame_inds, scores,
            total_frames, anomaly_intervals, class_name)``.
        """
        videos: Dict[str, dict] = {}
        seen: Dict[str, set] = {}
        for clip in results:
            vid = clip['video_id']
            key = (clip['frame_inds'].tobytes(), clip['scores'].tobytes())
            if vid not in videos:
                videos[vid] = dict(
                    frame_inds=[],
                    scores=[],
                    total_frames=clip['total_frames'],
                    anomaly_intervals=clip['anomaly_intervals'],
                    class_name=clip['class_name'],
                )
                seen[vid] = set()
            video = videos[vid]
            if (
                clip['total_frames'] != video['total_frames']
                or not np.array_equal(
                    clip['anomaly_intervals'], video['anomaly_intervals']
                )
                or clip['class_name'] != video['class_name']
            ):
                raise ValueError(
                    f'clips of video {vid!r} disagree on total_frames, '
                    'anomaly_intervals or class_name'
                )
            if key in seen[vid]:
                continue
            seen[vid].add(key)
            video['frame_inds'].append(clip['frame_inds'])
            video['scores'].append(clip['scores'])
        return OrderedDict((vid, videos[vid]) for vid in sorted(videos))

    def _label_length(self, vid: str, protocol_length: int) -> int:
        """The evaluated length of ``vid`` from ``label_lengths_file``."""
        if vid not in self.label_lengths:
            raise ValueError(
                f'video {vid!r} is not in label_lengths_file '
                f'{self.label_lengths_file}'
            )
        length = self.label_lengths[vid]
        if not 0 < length <= protocol_length:
            raise ValueError(
                f'video {vid!r}: label length {length} in '
                f'{self.label_lengths_file} is not in (0, {protocol_length}] '
                f'(frames evaluated under protocol {self.protocol!r})'
            )
        return length

    def _video_result(self, vid: str, video: dict) -> dict:
        """Evaluated scores and labels of one merged video."""
        num_frames = video['total_frames']
        try:
            dense = merged_frame_scores(
                np.concatenate(video['frame_inds']),
                np.concatenate(video['scores']),
                num_frames,
                self.score_interp,
                self.smooth_kernel,
            )
        except ValueError as e:
            raise ValueError(f'video {vid!r}: {e}') from e
        intervals = video['anomaly_intervals']
        scores = apply_protocol(dense, self.protocol)
        labels = build_video_labels(
            intervals, num_frames, self.protocol, self.interval_convention
        )
        if self.label_lengths is not None:
            length = self._label_length(vid, len(labels))
            scores, labels = scores[:length], labels[:length]
        return dict(
            scores=scores,
            labels=labels,
            class_name=video['class_name'] or '',
            num_frames=num_frames,
            is_anomalous=bool(
                intervals_to_labels(
                    intervals, num_frames, self.interval_convention
                ).any()
            ),
        )

    def _pool_metrics(self, per_video: Dict[str, dict]) -> Dict[str, Any]:
        """The metrics of the concatenated frames of all videos."""
        videos = list(per_video.values())
        scores = np.concatenate([v['scores'] for v in videos] + [[]])
        labels = np.concatenate(
            [v['labels'] for v in videos] + [np.zeros(0, np.uint8)]
        )
        normal = np.concatenate(
            [np.full(v['scores'].size, not v['is_anomalous']) for v in videos]
            + [np.zeros(0, bool)]
        )
        metrics: Dict[str, Any] = OrderedDict()
        metrics['AUC'] = roc_auc(labels, scores)
        metrics['AP'] = average_precision(labels, scores, self.ap_convention)
        metrics['AUC_A'] = roc_auc(labels[~normal], scores[~normal])
        metrics['FAR'] = far_at_threshold(scores[normal], self.far_threshold)
        far, threshold = far_at_recall(
            labels, scores, normal, self.recall_for_far
        )
        metrics[self.far_recall_key] = far
        metrics[f'{self.far_recall_key}_threshold'] = threshold
        if self.per_class:
            named = [
                v for v in videos if v['class_name'] or not v['is_anomalous']
            ]
            class_aucs = per_class_roc_auc(
                [v['labels'] for v in named],
                [v['scores'] for v in named],
                [v['class_name'] for v in named],
                [v['is_anomalous'] for v in named],
            )
            for name, value in class_aucs.items():
                metrics[f'AUC/{name}'] = value
        metrics = OrderedDict((k, float(v)) for k, v in metrics.items())
        metrics['num_videos'] = len(videos)
        metrics['num_frames'] = int(scores.size)
        return metrics

    def _dump(self, per_video: Dict[str, dict], metrics: Dict) -> None:
        meta = dict(
            protocol=self.protocol,
            ap_convention=self.ap_convention,
            interval_convention=self.interval_convention,
            far_threshold=self.far_threshold,
            recall_for_far=self.recall_for_far,
            score_interp=self.score_interp,
            smooth_kernel=self.smooth_kernel,
            metrics={
                k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in metrics.items()
            },
        )
        path = save_vad_dump(self.dump_file, per_video, meta=meta)
        print_log(
            f'VAD results of {len(per_video)} videos dumped to {path}',
            logger='current',
        )

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute the metrics from the clips of all ranks.

        Args:
            results (list[dict]): The records kept by :meth:`process`.

        Returns:
            dict[str, float]: Metric name (without prefix) to value.
        """
        per_video = OrderedDict(
            (vid, self._video_result(vid, video))
            for vid, video in self._merge_videos(results).items()
        )
        metrics = self._pool_metrics(per_video)
        if self.dump_file is not None:
            self._dump(per_video, metrics)
        return metrics
