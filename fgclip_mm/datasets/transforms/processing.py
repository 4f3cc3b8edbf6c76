"""Geometric augmentations that keep ``boxes`` and ``bbox_mask`` consistent
with the frames. Boxes are normalised to the image, so a resize leaves them
unchanged; a crop maps them into the crop and masks those that (almost) leave
it; a flip mirrors them. The same geometry is applied to every frame of the
clip."""

from typing import Dict, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .captions import (
    HORIZONTAL_CAPTION_FLIP_MAP,
    VERTICAL_CAPTION_FLIP_MAP,
    CaptionFlipper,
)
from .loading import target_size

_INTERP = {
    'nearest': cv2.INTER_NEAREST,
    'bilinear': cv2.INTER_LINEAR,
    'bicubic': cv2.INTER_CUBIC,
    'area': cv2.INTER_AREA,
}


@TRANSFORMS.register_module()
class ResizeFrames(BaseTransform):
    """Resize every frame.

    Required Keys:

        - imgs (``(T, H, W, 3)``)

    Modified Keys:

        - imgs
        - img_shape

    Args:
        scale (int | tuple[int, int]): An int resizes the short side to it
            (aspect ratio kept); ``(w, h)`` resizes exactly, one of them may be
            ``-1`` to keep the aspect ratio.
        interpolation (str): ``'nearest'``, ``'bilinear'``, ``'bicubic'`` or
            ``'area'``. Defaults to ``'bilinear'``.
    """

    def __init__(
        self,
        scale: Union[int, Tuple[int, int]],
        interpolation: str = 'bilinear',
    ) -> None:
        if interpolation not in _INTERP:
            raise ValueError(f'interpolation must be one of {list(_INTERP)}')
        self.scale = scale
        self.interpolation = interpolation

    def transform(self, results: Dict) -> Dict:
        imgs = results['imgs']
        size = target_size(self.scale, imgs.shape[1:3])
        if size is not None and size != (imgs.shape[2], imgs.shape[1]):
            imgs = np.stack(
                [
                    cv2.resize(
                        f, size, interpolation=_INTERP[self.interpolation]
                    )
                    for f in imgs
                ]
            )
        results['imgs'] = imgs
        results['img_shape'] = imgs.shape[1:3]
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(scale={self.scale}, '
            f'interpolation={self.interpolation!r})'
        )


def crop_boxes(
    boxes: np.ndarray,
    mask: np.ndarray,
    crop: Sequence[float],
    min_size: float = 0.01,
) -> Tuple[np.ndarray, np.ndarray]:
    """Map normalised boxes into a crop window.

    Args:
        boxes (np.ndarray): ``(T, N, 4)`` normalised x1y1x2y2.
        mask (np.ndarray): ``(T, N)`` bool.
        crop (Sequence[float]): Crop window ``(x1, y1, x2, y2)`` normalised to
            the uncropped image.
        min_size (float): A box narrower or lower than this inside the crop is
            masked. Defaults to 0.01.

    Returns:
        tuple[np.ndarray, np.ndarray]: boxes float32 ``(T, N, 4)`` normalised
        to the crop (0 where masked) and the new mask ``(T, N)``.
    """
    x1, y1, x2, y2 = crop
    scale = np.asarray([x2 - x1, y2 - y1, x2 - x1, y2 - y1], np.float32)
    offset = np.asarray([x1, y1, x1, y1], np.float32)
    out = np.clip((boxes - offset) / scale, 0.0, 1.0).astype(np.float32)
    visible = ((out[..., 2] - out[..., 0]) >= min_size) & (
        (out[..., 3] - out[..., 1]) >= min_size
    )
    mask = np.asarray(mask, dtype=bool) & visible
    out[~mask] = 0
    return out, mask


class _CropWithBoxes(BaseTransform):
    """Shared crop logic; subclasses choose the window in pixels."""

    def __init__(self, min_size: float = 0.01) -> None:
        self.min_size = min_size

    def _window(self, img_h: int, img_w: int) -> Tuple[int, int, int, int]:
        raise NotImplementedError

    def transform(self, results: Dict) -> Dict:
        imgs = results['imgs']
        img_h, img_w = imgs.shape[1:3]
        x, y, w, h = self._window(img_h, img_w)
        results['imgs'] = np.ascontiguousarray(imgs[:, y : y + h, x : x + w])
        results['img_shape'] = (h, w)
        results['crop_bbox'] = np.array([x, y, x + w, y + h])
        if 'boxes' in results:
            results['boxes'], results['bbox_mask'] = crop_boxes(
                results['boxes'],
                results['bbox_mask'],
                (x / img_w, y / img_h, (x + w) / img_w, (y + h) / img_h),
                self.min_size,
            )
        return results


def _pair(size: Union[int, Sequence[int]]) -> Tuple[int, int]:
    if isinstance(size, (int, np.integer)):
        return int(size), int(size)
    w, h = size
    return int(w), int(h)


class _FixedCropWithBoxes(_CropWithBoxes):
    """A fixed-size window (same for all frames); subclasses choose only its
    offset (:meth:`_offset`).

    Args:
        crop_size (int | tuple[int, int]): ``size`` or ``(w, h)`` in pixels;
            larger than the image is clipped to the image.
        min_size (float): Boxes thinner than this inside the crop are masked.
            Defaults to 0.01.
    """

    def __init__(
        self, crop_size: Union[int, Tuple[int, int]], min_size: float = 0.01
    ) -> None:
        super().__init__(min_size)
        self.crop_size = _pair(crop_size)

    def _offset(self, free_h: int, free_w: int) -> Tuple[int, int]:
        """``(x, y)`` of the window, given the free room ``img - crop``."""
        raise NotImplementedError

    def _window(self, img_h, img_w):
        w, h = min(self.crop_size[0], img_w), min(self.crop_size[1], img_h)
        x, y = self._offset(img_h - h, img_w - w)
        return x, y, w, h

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(crop_size={self.crop_size})'


@TRANSFORMS.register_module()
class RandomCropWithBoxes(_FixedCropWithBoxes):
    """Crop a fixed-size window at a random position (same for all frames).

    Required Keys:

        - imgs
        - boxes, bbox_mask (optional)

    Modified Keys:

        - imgs, img_shape, boxes, bbox_mask

    Added Keys:

        - crop_bbox (pixel ``[x1, y1, x2, y2]``)

    Args:
        crop_size (int | tuple[int, int]): ``size`` or ``(w, h)`` in pixels;
            larger than the image is clipped to the image.
        min_size (float): Boxes thinner than this inside the crop are masked.
            Defaults to 0.01.
    """

    def _offset(self, free_h, free_w):
        x = np.random.randint(0, free_w + 1)
        y = np.random.randint(0, free_h + 1)
        return x, y


@TRANSFORMS.register_module()
class CenterCropWithBoxes(_FixedCropWithBoxes):
    """Crop a fixed-size window at the centre (same for all frames).

    Keys as :class:`RandomCropWithBoxes`.

    Args:
        crop_size (int | tuple[int, int]): ``size`` or ``(w, h)`` in pixels.
        min_size (float): Boxes thinner than this inside the crop are masked.
            Defaults to 0.01.
    """

    def _offset(self, free_h, free_w):
        return free_w // 2, free_h // 2


@TRANSFORMS.register_module()
class RandomResizedCropWithBoxes(_CropWithBoxes):
    """Crop a random window of random area and aspect ratio (Inception-style;
    same for all frames). Follow it with :class:`ResizeFrames` to get a fixed
    size.

    Keys as :class:`RandomCropWithBoxes`.

    Args:
        area_range (tuple[float, float]): Window area as a fraction of the
            image. Defaults to ``(0.4, 1.0)``.
        aspect_ratio_range (tuple[float, float]): Window ``w / h`` range.
            Defaults to ``(3 / 4, 4 / 3)``.
        min_size (float): Boxes thinner than this inside the crop are masked.
            Defaults to 0.01.
        max_attempts (int): Tries before falling back to a centred square-ish
            window. Defaults to 10.
    """

    def __init__(
        self,
        area_range: Tuple[float, float] = (0.4, 1.0),
        aspect_ratio_range: Tuple[float, float] = (3 / 4, 4 / 3),
        min_size: float = 0.01,
        max_attempts: int = 10,
    ) -> None:
        super().__init__(min_size)
        if not 0 < area_range[0] <= area_range[1] <= 1:
            raise ValueError('area_range must satisfy 0 < lo <= hi <= 1')
        self.area_range = tuple(area_range)
        self.aspect_ratio_range = tuple(aspect_ratio_range)
        self.max_attempts = max_attempts

    def _window(self, img_h, img_w):
        area = img_h * img_w
        log_ratio = np.log(self.aspect_ratio_range)
        for _ in range(self.max_attempts):
            target = np.random.uniform(*self.area_range) * area
            ratio = np.exp(np.random.uniform(*log_ratio))
            w = int(round(np.sqrt(target * ratio)))
            h = int(round(np.sqrt(target / ratio)))
            if 0 < w <= img_w and 0 < h <= img_h:
                x = np.random.randint(0, img_w - w + 1)
                y = np.random.randint(0, img_h - h + 1)
                return x, y, w, h
        side = min(img_h, img_w)
        return (img_w - side) // 2, (img_h - side) // 2, side, side

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(area_range={self.area_range}, '
            f'aspect_ratio_range={self.aspect_ratio_range})'
        )


@TRANSFORMS.register_module()
class FlipWithBoxes(BaseTransform):
    """Flip all frames horizontally (or vertically) with probability
    ``flip_ratio``, mirroring the boxes and the spatial words of the captions
    (as MMAction2's ``Flip`` maps labels with ``flip_label_map``).

    Required Keys:

        - imgs
        - boxes, bbox_mask (optional)
        - global_caption, region_captions, short_caption (optional)

    Modified Keys:

        - imgs, boxes
        - global_caption, region_captions, short_caption (mirrored words)

    Added Keys:

        - flip (bool), flip_direction

    Args:
        flip_ratio (float): Probability of flipping. Defaults to 0.5.
        direction (str): ``'horizontal'`` or ``'vertical'``. Defaults to
            ``'horizontal'``.
        caption_flip_map (dict[str, str], optional): Phrases of the captions
            replaced on a flip (whole words, case kept, see
            :class:`~fgclip_mm.datasets.transforms.captions.CaptionFlipper`);
            ``{}`` leaves the captions alone. Defaults to None: the
            direction's spatial phrases, ``HORIZONTAL_CAPTION_FLIP_MAP``
            ("on the left" <-> "on the right", "left-hand", "turned right",
            ...; the verb "left" is kept) or ``VERTICAL_CAPTION_FLIP_MAP``
            of :mod:`fgclip_mm.datasets.transforms.captions`.
    """

    CAPTION_KEYS = ('global_caption', 'short_caption')

    def __init__(
        self,
        flip_ratio: float = 0.5,
        direction: str = 'horizontal',
        caption_flip_map: Optional[Dict[str, str]] = None,
    ) -> None:
        if direction not in ('horizontal', 'vertical'):
            raise ValueError("direction must be 'horizontal' or 'vertical'")
        self.flip_ratio = flip_ratio
        self.direction = direction
        if caption_flip_map is None:
            caption_flip_map = (
                HORIZONTAL_CAPTION_FLIP_MAP
                if direction == 'horizontal'
                else VERTICAL_CAPTION_FLIP_MAP
            )
        self.caption_flip_map = dict(caption_flip_map)
        self._flip_caption = CaptionFlipper(self.caption_flip_map)

    def _flip_boxes(self, results: Dict) -> None:
        boxes = results['boxes'].copy()
        lo, hi = (0, 2) if self.direction == 'horizontal' else (1, 3)
        boxes[..., lo], boxes[..., hi] = (
            1 - results['boxes'][..., hi],
            1 - results['boxes'][..., lo],
        )
        boxes[~np.asarray(results['bbox_mask'], dtype=bool)] = 0
        results['boxes'] = boxes

    def _flip_captions(self, results: Dict) -> None:
        for key in self.CAPTION_KEYS:
            if results.get(key):
                results[key] = self._flip_caption(results[key])
        if results.get('region_captions'):
            results['region_captions'] = self._flip_caption.flip_all(
                results['region_captions']
            )

    def transform(self, results: Dict) -> Dict:
        flip = bool(np.random.rand() < self.flip_ratio)
        results['flip'] = flip
        results['flip_direction'] = self.direction
        if not flip:
            return results
        axis = 2 if self.direction == 'horizontal' else 1
        results['imgs'] = np.ascontiguousarray(
            np.flip(results['imgs'], axis=axis)
        )
        if 'boxes' in results:
            self._flip_boxes(results)
        self._flip_captions(results)
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(flip_ratio={self.flip_ratio}, '
            f'direction={self.direction!r})'
        )
