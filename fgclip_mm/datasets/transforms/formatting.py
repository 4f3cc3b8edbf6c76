"""Pack a sample into MMAction2's ``inputs`` + ``ActionDataSample``."""

from typing import Dict, Sequence

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

from .cached_features import PIXEL_KEYS, pixel_transform_error

#: Non-tensor per-sample information stored as the data sample's metainfo.
INFO_KEYS = (
    'video_id',
    'total_frames',
    'global_caption',
    'region_captions',
    'short_caption',
    'is_anomaly',
    'class_name',
    'anomaly_intervals',
)


@TRANSFORMS.register_module()
class PackFGCLIPInputs(BaseTransform):
    """Pack frames, boxes, captions and labels (``docs/interfaces.md``).

    ``inputs`` is a uint8 tensor ``(T, 3, H, W)`` (RGB);
    :class:`mmaction.models.ActionDataPreprocessor` with
    ``format_shape='NCHW'`` batches and normalises it to ``(B, T, 3, H, W)``.

    The ``ActionDataSample`` has ``gt_label`` (via ``set_gt_label``), the
    tensor data fields ``frame_inds`` (LongTensor ``(T,)``), ``boxes``
    (FloatTensor ``(T, N, 4)``) and ``bbox_mask`` (BoolTensor ``(T, N)``), and
    the metainfo fields ``video_id``, ``total_frames``, ``global_caption``,
    ``region_captions`` (N strings), ``short_caption``, ``is_anomaly``, plus
    ``class_name`` and ``anomaly_intervals`` (np.int64 ``(K, 2)``) when present
    (test mode) and any present ``meta_keys``. Without ``boxes`` (test
    pipelines need none) ``N`` is 0.

    Required Keys:

        - imgs (np.uint8 ``(T, H, W, 3)``)
        - label, frame_inds, video_id, total_frames

    Optional Keys:

        - boxes, bbox_mask, global_caption, region_captions, short_caption,
          is_anomaly, class_name, anomaly_intervals, ``meta_keys``

    Added Keys:

        - inputs
        - data_samples

    Args:
        meta_keys (Sequence[str]): More keys copied to the metainfo when
            present. Defaults to ``('filename', 'fps', 'img_shape',
            'original_shape', 'clip_index', 'num_clips', 'ann_index', 'flip',
            'sample_idx')``.
    """

    def __init__(
        self,
        meta_keys: Sequence[str] = (
            'filename',
            'fps',
            'img_shape',
            'original_shape',
            'clip_index',
            'num_clips',
            'ann_index',
            'flip',
            'sample_idx',
        ),
    ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        imgs = np.asarray(results['imgs'])
        if imgs.ndim != 4 or imgs.shape[-1] != 3:
            raise ValueError(f'imgs must be (T, H, W, 3), got {imgs.shape}')
        inputs = torch.from_numpy(
            np.ascontiguousarray(imgs.transpose(0, 3, 1, 2))
        )
        num_t = imgs.shape[0]

        sample = ActionDataSample()
        sample.set_gt_label(int(results['label']))
        frame_inds = np.asarray(results['frame_inds'], dtype=np.int64)
        if frame_inds.shape != (num_t,):
            raise ValueError(
                f'frame_inds has shape {frame_inds.shape}, '
                f'expected ({num_t},) to match imgs'
            )
        sample.frame_inds = torch.from_numpy(frame_inds.copy())
        if 'boxes' in results:
            sample.boxes = torch.from_numpy(
                np.asarray(results['boxes'], dtype=np.float32).copy()
            )
            sample.bbox_mask = torch.from_numpy(
                np.asarray(results['bbox_mask'], dtype=bool).copy()
            )
            region_captions = list(results['region_captions'])
        else:
            sample.boxes = torch.zeros(num_t, 0, 4)
            sample.bbox_mask = torch.zeros(num_t, 0, dtype=torch.bool)
            region_captions = []

        info = dict(
            video_id=results['video_id'],
            total_frames=int(results['total_frames']),
            global_caption=results.get('global_caption', ''),
            region_captions=region_captions,
            short_caption=results.get('short_caption'),
            is_anomaly=bool(
                results.get('is_anomaly', int(results['label']) != 0)
            ),
        )
        for key in ('class_name', 'anomaly_intervals'):
            if key in results:
                info[key] = results[key]
        for key in self.meta_keys:
            if key in results and key not in info:
                info[key] = results[key]
        sample.set_metainfo(info)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'


@TRANSFORMS.register_module()
class PackFGCLIPCachedInputs(PackFGCLIPInputs):
    """Pack cached features like :class:`PackFGCLIPInputs` packs frames.

    The data sample gets the tensor fields ``frame_feats`` (FloatTensor
    ``(T, D)``) and ``region_feats`` (FloatTensor ``(T, N, D)``, aligned with
    ``boxes`` / ``bbox_mask``) besides every field of
    :class:`PackFGCLIPInputs`; ``inputs`` is an empty uint8 placeholder
    ``(T, 3, 0, 0)``, so that MMAction2's data preprocessor and batch
    counting work unchanged. :class:`FGCLIPRecognizer` uses the features in
    place of its backbone's output.

    Required Keys:

        - frame_feats, region_feats (:class:`LoadFGCLIPCachedFeatures`)
        - label, frame_inds, video_id, total_frames, boxes, bbox_mask

    Added Keys:

        - inputs
        - data_samples
    """

    def transform(self, results: Dict) -> Dict:
        found = [k for k in PIXEL_KEYS if k in results]
        if found:  # a pixel transform after LoadFGCLIPCachedFeatures
            raise pixel_transform_error(f'keys {found} of a pixel transform')
        frame_feats = np.asarray(results['frame_feats'], dtype=np.float32)
        region_feats = np.asarray(results['region_feats'], dtype=np.float32)
        num_t = frame_feats.shape[0]
        results = dict(
            results, imgs=np.zeros((num_t, 0, 0, 3), dtype=np.uint8)
        )
        packed = super().transform(results)
        sample = packed['data_samples']
        if region_feats.shape[:2] != tuple(sample.bbox_mask.shape):
            raise ValueError(
                f'region_feats {region_feats.shape} do not match bbox_mask '
                f'{tuple(sample.bbox_mask.shape)}'
            )
        sample.frame_feats = torch.from_numpy(frame_feats.copy())
        sample.region_feats = torch.from_numpy(region_feats.copy())
        return packed
