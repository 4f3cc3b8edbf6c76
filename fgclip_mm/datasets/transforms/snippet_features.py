"""Load, sample and pack pre-extracted snippet features
(:class:`~fgclip_mm.datasets.SnippetFeatureDataset`)."""

from typing import Dict, Optional, Sequence

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

__all__ = [
    'LoadSnippetFeatures',
    'SampleSnippetSegments',
    'SampleSnippetsMaxLen',
    'PackSnippetInputs',
    'segment_mean',
    'snippet_intervals',
]


def segment_mean(feat: np.ndarray, num_segments: int) -> np.ndarray:
    """Average consecutive snippets into a fixed number of segments.

    Sultani et al. (CVPR 2018, Sec. 3.3: 32 temporal segments per video)
    as RTFM's ``process_feat`` and VadCLIP's ``uniform_extract`` compute
    it: boundaries ``linspace(0, T, n + 1)`` truncated to integers, segment
    ``i`` = mean of snippets ``[r_i, r_{i+1})``, or snippet ``r_i`` when
    that range is empty (videos shorter than ``n`` snippets repeat them).

    Args:
        feat (np.ndarray): ``(T, ...)`` snippet features.
        num_segments (int): n.

    Returns:
        np.ndarray: ``(n, ...)`` float32.
    """
    num = feat.shape[0]
    bounds = np.linspace(0, num, num_segments + 1).astype(np.int64)
    out = np.empty((num_segments,) + feat.shape[1:], dtype=np.float32)
    for i in range(num_segments):
        start, stop = bounds[i], bounds[i + 1]
        if start != stop:
            out[i] = feat[start:stop].mean(axis=0)
        else:
            out[i] = feat[min(start, num - 1)]
    return out


def snippet_intervals(
    intervals: np.ndarray,
    num_frames: int,
    real_frames: Optional[int],
    extend: bool,
) -> np.ndarray:
    """Event intervals on the frames covered by the snippets.

    Args:
        intervals (np.ndarray): ``(K, 2)`` half-open frame intervals.
        num_frames (int): Frames covered by the snippets (``T * L``).
        real_frames (int, optional): The video's real frame count.
        extend (bool): An event reaching the last real frame runs on to
            ``num_frames`` (RTFM's ShanghaiTech labels repeat the last
            mask value over the padded frames of the last snippet).

    Returns:
        np.ndarray: ``(K', 2)`` int64 intervals clipped to the real frames
        (then extended) and to ``num_frames``; empty ones dropped.
    """
    iv = np.asarray(intervals, dtype=np.int64).reshape(-1, 2).copy()
    if real_frames is not None:
        iv = np.minimum(iv, real_frames)
        iv = iv[iv[:, 1] > iv[:, 0]]
        if extend:
            iv[iv[:, 1] >= real_frames, 1] = max(num_frames, real_frames)
    iv = np.minimum(iv, num_frames)
    return iv[iv[:, 1] > iv[:, 0]]


@TRANSFORMS.register_module()
class LoadSnippetFeatures(BaseTransform):
    """Load a video's snippet features as ``(T, C, D)`` float32.

    A file ``(T, C, D)`` (RTFM's ten-crop I3D, our cache) is used as is, a
    file ``(T, D)`` is one crop; per-crop files (``<video>__<k>.npy``) are
    stacked along C in crop order. Crop files of one video must agree on T
    and D (an error names the files otherwise).

    Required Keys: feature_paths (list[str]), video_id

    Added Keys: features (np.float32 ``(T, C, D)``), num_snippets

    Args:
        crops (Sequence[int], optional): Crop positions to keep (after
            stacking). Defaults to None (all).
        crop_reduce (str, optional): ``'mean'`` averages the kept crops into
            C = 1. Defaults to None.
    """

    def __init__(
        self,
        crops: Optional[Sequence[int]] = None,
        crop_reduce: Optional[str] = None,
    ) -> None:
        if crop_reduce not in (None, 'mean'):
            raise ValueError(
                f"crop_reduce must be None or 'mean', got {crop_reduce!r}"
            )
        self.crops = None if crops is None else list(crops)
        self.crop_reduce = crop_reduce

    @staticmethod
    def _load(path: str) -> np.ndarray:
        arr = np.load(path, mmap_mode='r')
        if arr.ndim == 2:
            arr = arr[:, None]
        if arr.ndim != 3 or arr.shape[0] == 0:
            raise ValueError(
                f'{path}: expected snippet features (T, D) or '
                f'(T, C, D) with T >= 1, got {arr.shape}'
            )
        return arr

    def transform(self, results: Dict) -> Dict:
        paths = results['feature_paths']
        arrays = [self._load(p) for p in paths]
        shapes = {(a.shape[0], a.shape[2]) for a in arrays}
        if len(shapes) > 1:
            detail = ', '.join(
                f'{p}: {a.shape}' for p, a in zip(paths, arrays)
            )
            raise ValueError(
                f'crop files of video {results["video_id"]!r} '
                f'disagree on (T, D): {detail}'
            )
        feat = np.concatenate(
            [np.asarray(a, dtype=np.float32) for a in arrays], axis=1
        )
        if self.crops is not None:
            if max(self.crops) >= feat.shape[1]:
                raise ValueError(
                    f'video {results["video_id"]!r} has '
                    f'{feat.shape[1]} crops, asked for '
                    f'{self.crops}'
                )
            feat = feat[:, self.crops]
        if self.crop_reduce == 'mean':
            feat = feat.mean(axis=1, keepdims=True)
        results['features'] = np.ascontiguousarray(feat, dtype=np.float32)
        results['num_snippets'] = feat.shape[0]
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(crops={self.crops}, '
            f'crop_reduce={self.crop_reduce!r})'
        )


@TRANSFORMS.register_module()
class SampleSnippetSegments(BaseTransform):
    """A fixed number of segments per video, each the mean of consecutive
    snippets (MIL / RTFM / AR-Net training bags, see :func:`segment_mean`).

    Required Keys: features ``(T, C, D)``

    Modified Keys: features ``(num_segments, C, D)``, num_snippets

    Args:
        num_segments (int): Segments per video. Defaults to 32.
    """

    def __init__(self, num_segments: int = 32) -> None:
        if num_segments <= 0:
            raise ValueError('num_segments must be positive')
        self.num_segments = num_segments

    def transform(self, results: Dict) -> Dict:
        results['features'] = segment_mean(
            results['features'], self.num_segments
        )
        results['num_snippets'] = self.num_segments
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_segments={self.num_segments})'


@TRANSFORMS.register_module()
class SampleSnippetsMaxLen(BaseTransform):
    """At most ``max_len`` snippets, padded to exactly ``max_len``
    (VadCLIP's ``process_feat``: longer videos are reduced by
    ``'uniform'`` segment means or a ``'random'`` window of ``max_len``
    consecutive snippets; shorter ones are zero-padded).

    Required Keys: features ``(T, C, D)``

    Modified Keys: features ``(max_len, C, D)``, num_snippets (real ones)

    Added Keys: snippet_mask (bool ``(max_len,)``, True for real snippets)

    Args:
        max_len (int): Output length. Defaults to 256 (VadCLIP, UCF-Crime).
        sampling (str): ``'uniform'`` or ``'random'``. Defaults to
            ``'uniform'``.
    """

    def __init__(self, max_len: int = 256, sampling: str = 'uniform') -> None:
        if sampling not in ('uniform', 'random'):
            raise ValueError(
                f"sampling must be 'uniform' or 'random', got {sampling!r}"
            )
        self.max_len = max_len
        self.sampling = sampling

    def transform(self, results: Dict) -> Dict:
        feat = results['features']
        num = feat.shape[0]
        if num > self.max_len:
            if self.sampling == 'uniform':
                feat = segment_mean(feat, self.max_len)
            else:
                start = np.random.randint(num - self.max_len + 1)
                feat = feat[start : start + self.max_len]
            num = self.max_len
        out = np.zeros((self.max_len,) + feat.shape[1:], dtype=np.float32)
        out[:num] = feat
        mask = np.zeros(self.max_len, dtype=bool)
        mask[:num] = True
        results.update(features=out, num_snippets=num, snippet_mask=mask)
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(max_len={self.max_len}, '
            f'sampling={self.sampling!r})'
        )


@TRANSFORMS.register_module()
class PackSnippetInputs(BaseTransform):
    """Pack snippet features into ``inputs`` (float32 ``(T, C, D)``) and an
    ``ActionDataSample`` (the contract of ``docs/baselines.md``).

    The sample has ``gt_label``, metainfo ``video_id``, ``snippet_length``,
    ``num_snippets``, ``class_name``, ``is_anomaly``; a ``snippet_mask``
    BoolTensor ``(T,)`` when sampling padded; in test mode the data field
    ``frame_inds`` (LongTensor ``arange(T * L)``) and metainfo
    ``total_frames`` (``T * L``) and ``anomaly_intervals`` (np.int64
    ``(K, 2)``, clipped to ``T * L``, see :func:`snippet_intervals`).

    Required Keys: features, label, video_id, snippet_length, num_snippets

    Optional Keys: snippet_mask, class_name, is_anomaly, anomaly_intervals,
    real_total_frames, extend_last_interval, ``meta_keys``

    Args:
        meta_keys (Sequence[str]): More keys copied to the metainfo when
            present. Defaults to ``('list_file', 'list_lines', 'sample_id',
            'real_total_frames')``.
    """

    def __init__(
        self,
        meta_keys: Sequence[str] = (
            'list_file',
            'list_lines',
            'sample_id',
            'real_total_frames',
        ),
    ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        feat = np.asarray(results['features'], dtype=np.float32)
        if feat.ndim != 3:
            raise ValueError(f'features must be (T, C, D), got {feat.shape}')
        num_t, length = feat.shape[0], int(results['snippet_length'])
        sample = ActionDataSample()
        sample.set_gt_label(int(results['label']))
        info = dict(
            video_id=results['video_id'],
            snippet_length=length,
            num_snippets=int(results['num_snippets']),
            class_name=results.get('class_name'),
            is_anomaly=bool(
                results.get('is_anomaly', int(results['label']) != 0)
            ),
        )
        if 'snippet_mask' in results:
            sample.snippet_mask = torch.from_numpy(
                np.asarray(results['snippet_mask'], dtype=bool).copy()
            )
        if 'anomaly_intervals' in results:
            total = num_t * length
            sample.frame_inds = torch.arange(total, dtype=torch.long)
            info['total_frames'] = total
            info['anomaly_intervals'] = snippet_intervals(
                results['anomaly_intervals'],
                total,
                results.get('real_total_frames'),
                bool(results.get('extend_last_interval', False)),
            )
        for key in self.meta_keys:
            if key in results and key not in info:
                info[key] = results[key]
        sample.set_metainfo(info)
        return dict(
            inputs=torch.from_numpy(np.ascontiguousarray(feat)),
            data_samples=sample,
        )

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
