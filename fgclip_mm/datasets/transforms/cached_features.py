"""Train frozen FG-CLIP from a feature cache instead of decoding video.

``tools/extract_fgclip_cache.py`` stores, per video, the backbone's global
embedding and the RoIAlign region features (what :class:`RoIRegionHead`
pools from the dense map before its adapter) of every annotated region track
and of the fixed boxes (the virtual full-frame box) on every
``frame_stride``-th frame: ``<cache>/<split>/<video_id>.npy`` float
``(F, 1 + R, D)``, slot 0 the global embedding, slots ``1..R`` the boxes of
:func:`cache_region_boxes`.

A cached training pipeline replaces the decoding and pixel steps::

    dict(type='FGCLIPCacheInit', cache_dir=...),     # for VideoReaderInit
    dict(type='SampleAnnotatedFrames', ...),
    dict(type='SnapToCachedFrames'),
    dict(type='GenerateRegionBoxes', ...),
    dict(type='LoadFGCLIPCachedFeatures'),           # for DecodeSampledFrames
    dict(type='PackFGCLIPCachedInputs'),

Pixel augmentations (crops, flips, resizes) cannot change cached features, so
they are refused in such a pipeline with a :class:`CachedPipelineError`.
"""

import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .boxes import interpolate_region_boxes, sanitize_boxes
from .loading import describe_sample

CACHE_KIND = 'fgclip_frames'
#: Keys that pixel transforms (decode, resize, crop, flip) add to a sample.
PIXEL_KEYS = ('img_shape', 'flip', 'crop_bbox', 'video_reader')


class CachedPipelineError(RuntimeError):
    """A pixel transform in a pipeline that reads cached features."""


def pixel_transform_error(what: str) -> CachedPipelineError:
    return CachedPipelineError(
        f'{what} in a pipeline that trains from the FG-CLIP feature cache: '
        'pixel transforms (decoding, crops, flips, resizes) cannot change '
        'cached features; remove them from the cached train pipeline (see '
        'docs/fgclip_feature_cache.md)'
    )


class CachedFramesGuard:
    """Stands in for ``imgs`` in a cached pipeline: a transform that reads
    the frames fails with :class:`CachedPipelineError` instead of a
    ``KeyError``."""

    def _refuse(self, *args, **kwargs):
        raise pixel_transform_error('a transform read the frames (imgs)')

    __array__ = __getitem__ = __len__ = __iter__ = _refuse

    def __getattr__(self, name: str):
        if name.startswith('__'):
            raise AttributeError(name)
        self._refuse()


def cached_frame_count(total_frames: int, stride: int) -> int:
    """Cached frames of a video: frames ``0, stride, 2 * stride, ...``."""
    return max(1, -(-int(total_frames) // int(stride)))


def snap_to_cached(
    frame_inds: np.ndarray, stride: int, num_cached: int
) -> np.ndarray:
    """Positions ``(T,)`` in the cache of the cached frames nearest to
    ``frame_inds`` (ties go to the later frame)."""
    pos = (np.asarray(frame_inds, dtype=np.int64) + stride // 2) // stride
    return np.clip(pos, 0, num_cached - 1)


def cache_region_boxes(
    tracks: Sequence[Sequence[dict]],
    fixed_boxes: Sequence[Sequence[float]],
    frame_inds: np.ndarray,
    min_size: float,
) -> np.ndarray:
    """Boxes of the cached regions at ``frame_inds``.

    A region track gives its keyframe-interpolated box, held at the end
    keyframes outside its span, sanitised as :class:`GenerateRegionBoxes`
    does, so that every box that transform makes for these frames is one of
    them; each fixed box (e.g. the virtual ``[0, 0, 1, 1]``) is the same on
    every frame.

    Args:
        tracks (Sequence): R1 region tracks, lists of
            ``dict(frame=int, bbox=[x1, y1, x2, y2])`` sorted by frame.
        fixed_boxes (Sequence): R2 normalised boxes.
        frame_inds (np.ndarray): ``(T,)`` frame indices.
        min_size (float): ``GenerateRegionBoxes.min_size``.

    Returns:
        np.ndarray: float32 ``(T, R1 + R2, 4)``.
    """
    num_t = len(frame_inds)
    out = []
    for track in tracks:
        boxes, _ = interpolate_region_boxes(track, frame_inds, np.inf)
        out.append(sanitize_boxes(boxes, np.ones(num_t, bool), min_size))
    for box in fixed_boxes:
        fixed = np.tile(np.asarray(box, np.float32), (num_t, 1))
        out.append(sanitize_boxes(fixed, np.ones(num_t, bool), min_size))
    if not out:
        return np.zeros((num_t, 0, 4), np.float32)
    return np.stack(out, axis=1)


class FGCLIPFeatureCache:
    """The ``index.json`` of a cache, read once per process."""

    _indexes: Dict[str, dict] = {}

    @classmethod
    def index(cls, cache_dir: str) -> dict:
        path = osp.join(cache_dir, 'index.json')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path} not found: run tools/extract_fgclip_cache.py'
            )
        key = f'{path}@{os.stat(path).st_mtime_ns}'
        if key not in cls._indexes:
            with open(path) as f:
                index = json.load(f)
            if index.get('kind') != CACHE_KIND:
                raise ValueError(
                    f'{path} is not an FG-CLIP frame cache '
                    f'(kind {index.get("kind")!r})'
                )
            cls._indexes[key] = index
        return cls._indexes[key]


@TRANSFORMS.register_module()
class FGCLIPCacheInit(BaseTransform):
    """Look the video up in the feature cache (replaces
    :class:`VideoReaderInit`; nothing is decoded).

    Required Keys:

        - video_id

    Added Keys:

        - fps, total_frames (the cached video's, unless present)
        - feature_cache (dict: path, frame_stride, num_cached, tracks,
          fixed_boxes, min_size)
        - imgs (a :class:`CachedFramesGuard`: pixel transforms fail clearly)

    Args:
        cache_dir (str): Output folder of ``tools/extract_fgclip_cache.py``.
        split (str): Cache split of the dataset. Defaults to ``'train'``.
    """

    def __init__(self, cache_dir: str, split: str = 'train') -> None:
        self.cache_dir = cache_dir
        self.split = split

    def transform(self, results: Dict) -> Dict:
        index = FGCLIPFeatureCache.index(self.cache_dir)
        videos = index['splits'].get(self.split, {})
        rec = videos.get(results['video_id'])
        if rec is None:
            raise KeyError(
                f'{describe_sample(results)} is not in the {self.split!r} '
                f'split of the feature cache {self.cache_dir}; rerun '
                'tools/extract_fgclip_cache.py'
            )
        results['fps'] = rec['fps']
        if results.get('total_frames') is None:
            results['total_frames'] = rec['total_frames']
        results['feature_cache'] = dict(
            path=osp.join(self.cache_dir, rec['path']),
            frame_stride=index['frame_stride'],
            num_cached=rec['num_cached_frames'],
            tracks=rec['tracks'],
            fixed_boxes=index['fixed_boxes'],
            min_size=index['min_size'],
        )
        results['imgs'] = CachedFramesGuard()
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(cache_dir={self.cache_dir!r}, '
            f'split={self.split!r})'
        )


@TRANSFORMS.register_module()
class SnapToCachedFrames(BaseTransform):
    """Move the sampled frames to the nearest cached frames (a no-op with
    ``frame_stride`` 1), before boxes are generated for them.

    Required Keys:

        - frame_inds, feature_cache

    Modified Keys:

        - frame_inds
    """

    def transform(self, results: Dict) -> Dict:
        cache = results['feature_cache']
        pos = snap_to_cached(
            results['frame_inds'], cache['frame_stride'], cache['num_cached']
        )
        results['frame_inds'] = pos * cache['frame_stride']
        return results


def match_slots(
    boxes: np.ndarray, mask: np.ndarray, cached: np.ndarray, atol: float = 1e-5
) -> np.ndarray:
    """Index ``(T, N)`` of the cached box equal to each valid slot's box
    (-1 where masked); raises when a valid box is not cached.

    Args:
        boxes (np.ndarray): ``(T, N, 4)`` boxes of the sample.
        mask (np.ndarray): ``(T, N)`` bool.
        cached (np.ndarray): ``(T, R, 4)`` cached boxes at the same frames.
        atol (float): Largest coordinate difference of a match.
    """
    out = np.full(mask.shape, -1, dtype=np.int64)
    if not mask.any():
        return out
    if cached.shape[1] == 0:
        raise ValueError('the sample has boxes but the cache has none')
    diff = np.abs(boxes[:, :, None] - cached[:, None]).max(-1)  # (T, N, R)
    best = diff.argmin(-1)
    bad = mask & (np.take_along_axis(diff, best[..., None], -1)[..., 0] > atol)
    if bad.any():
        t, n = np.argwhere(bad)[0]
        raise ValueError(
            f'box {boxes[t, n].tolist()} (frame {t}, slot {n}) is not in the '
            'feature cache: the cache was made with other annotations or '
            'GenerateRegionBoxes settings; rerun '
            'tools/extract_fgclip_cache.py'
        )
    out[mask] = best[mask]
    return out


@TRANSFORMS.register_module()
class LoadFGCLIPCachedFeatures(BaseTransform):
    """Read the cached global and region features of the sampled frames and
    boxes (replaces :class:`DecodeSampledFrames` and the backbone).

    Each valid slot's box is matched to the cached box of the same frame
    (:func:`match_slots`), so any ``GenerateRegionBoxes`` strategy whose
    boxes are cached works.

    Required Keys:

        - frame_inds (on cached frames: :class:`SnapToCachedFrames`)
        - boxes, bbox_mask, feature_cache

    Added Keys:

        - frame_feats (np.float32 ``(T, D)``)
        - region_feats (np.float32 ``(T, N, D)``, 0 where masked)

    Args:
        atol (float): Largest box coordinate difference of a match.
            Defaults to 1e-5.
    """

    def __init__(self, atol: float = 1e-5) -> None:
        self.atol = atol

    def transform(self, results: Dict) -> Dict:
        found = [k for k in PIXEL_KEYS if k in results]
        if found:
            raise pixel_transform_error(
                f'{describe_sample(results)}: keys {found} of a pixel '
                'transform'
            )
        cache = results['feature_cache']
        frame_inds = np.asarray(results['frame_inds'], dtype=np.int64)
        stride = cache['frame_stride']
        if np.any(frame_inds % stride):
            raise ValueError(
                'frame_inds are not on cached frames: put '
                'SnapToCachedFrames before GenerateRegionBoxes'
            )
        cached_boxes = cache_region_boxes(
            cache['tracks'],
            cache['fixed_boxes'],
            frame_inds,
            cache['min_size'],
        )
        mask = np.asarray(results['bbox_mask'], dtype=bool)
        slots = match_slots(
            np.asarray(results['boxes']), mask, cached_boxes, self.atol
        )
        pos = np.minimum(frame_inds // stride, cache['num_cached'] - 1)
        feats = np.load(cache['path'], mmap_mode='r')
        frames = np.asarray(feats[np.unique(pos)], dtype=np.float32)
        frames = frames[np.searchsorted(np.unique(pos), pos)]  # (T, 1+R, D)
        region = frames[np.arange(len(pos))[:, None], 1 + slots.clip(0)]
        region[~mask] = 0
        results['frame_feats'] = frames[:, 0]
        results['region_feats'] = region
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(atol={self.atol})'


__all__: List[str] = [
    'CACHE_KIND',
    'CachedFramesGuard',
    'CachedPipelineError',
    'FGCLIPCacheInit',
    'FGCLIPFeatureCache',
    'LoadFGCLIPCachedFeatures',
    'SnapToCachedFrames',
    'cache_region_boxes',
    'cached_frame_count',
    'match_slots',
    'pixel_transform_error',
    'snap_to_cached',
]
