"""Drawing of the synthetic demo videos (see :mod:`.demo_data`): a textured
background, slowly walking muted pedestrians, and the anomalies (a growing
orange fireball; two red figures fighting)."""

from typing import List, Optional, Tuple

import numpy as np

__all__ = ['render_video']

_PEDESTRIAN_COLOURS = np.array(
    [
        [70, 80, 120],
        [80, 110, 80],
        [55, 55, 65],
        [150, 140, 120],
        [100, 100, 140],
    ],
    dtype=np.float32,
)
_ORANGE = np.array([255, 130, 20], dtype=np.float32)
_YELLOW = np.array([255, 235, 90], dtype=np.float32)
_REDS = np.array([[225, 25, 25], [170, 15, 30]], dtype=np.float32)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Smooth grey texture with two darker static blocks, float32 (H, W, 3)."""
    import cv2

    coarse = rng.uniform(95, 150, (6, 6)).astype(np.float32)
    bg = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
    bg += rng.normal(0, 4, (size, size)).astype(np.float32)
    bg = np.repeat(bg[..., None], 3, axis=2)
    for _ in range(2):
        w, h = rng.integers(size // 8, size // 4, 2)
        x, y = rng.integers(0, size - w), rng.integers(0, size - h)
        bg[y : y + h, x : x + w] *= 0.8
    return bg


def _fill_rect(
    frame: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: np.ndarray
) -> Optional[Tuple[int, int, int, int]]:
    """Paint pixels ``[x0, x1) x [y0, y1)`` clipped to the frame; return the
    painted pixel extent or None."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 <= x0 or y1 <= y0:
        return None
    frame[y0:y1, x0:x1] = colour
    return x0, y0, x1, y1


class _Walkers:
    """Slowly moving pedestrians bouncing inside the frame."""

    def __init__(self, rng: np.random.Generator, size: int) -> None:
        n = int(rng.integers(2, 5))
        self.size = size
        self.wh = np.stack([rng.integers(4, 7, n), rng.integers(9, 14, n)], 1)
        self.pos = rng.uniform(0, size - 14, (n, 2))
        speed = rng.uniform(0.3, 1.0, n)
        angle = rng.uniform(0, 2 * np.pi, n)
        self.vel = np.stack([np.cos(angle), np.sin(angle)], 1) * speed[:, None]
        self.colour = _PEDESTRIAN_COLOURS[
            rng.integers(0, len(_PEDESTRIAN_COLOURS), n)
        ]

    def step_and_draw(self, frame: np.ndarray) -> None:
        limit = self.size - self.wh
        self.pos += self.vel
        out = (self.pos < 0) | (self.pos > limit)
        self.vel[out] *= -1
        self.pos = np.clip(self.pos, 0, limit)
        for (x, y), (w, h), c in zip(
            self.pos.astype(int), self.wh, self.colour
        ):
            _fill_rect(frame, x, y, x + w, y + h, c)


def _draw_explosion(
    frame: np.ndarray, centre: Tuple[int, int], radius: int
) -> Tuple[int, int, int, int]:
    """Filled disc; returns its pixel extent ``(x0, y0, x1, y1)``, exclusive
    ends."""
    import cv2

    cx, cy = centre
    cv2.circle(frame, (cx, cy), radius, _ORANGE.tolist(), -1)
    if radius >= 2:
        cv2.circle(
            frame, (cx, cy), max(1, int(radius * 0.55)), _YELLOW.tolist(), -1
        )
    h, w = frame.shape[:2]
    return (
        max(cx - radius, 0),
        max(cy - radius, 0),
        min(cx + radius + 1, w),
        min(cy + radius + 1, h),
    )


def render_video(
    rng: np.random.Generator,
    size: int,
    num_frames: int,
    cls: str,
    interval: Tuple[int, int],
) -> Tuple[np.ndarray, List[List[Optional[tuple]]]]:
    """Frames uint8 ``(T, S, S, 3)`` (``S = size``) and, per region, the
    pixel box of the anomalous object on every frame (None where absent)."""
    bg = _background(rng, size)
    walkers = _Walkers(rng, size)
    start, stop = interval
    num_regions = {'Normal': 0, 'Explosion': 1, 'Fighting': 2}[cls]
    boxes: List[List[Optional[tuple]]] = [
        [None] * num_frames for _ in range(num_regions)
    ]
    if cls == 'Explosion':
        centre = tuple(
            int(v) for v in rng.integers(size // 4, 3 * size // 4, 2)
        )
        r_max = int(rng.integers(size // 7, size // 4))
    elif cls == 'Fighting':
        centre_f = rng.uniform(size * 0.3, size * 0.7, 2)
        drift = rng.uniform(-0.3, 0.3, 2)
    frames = np.empty((num_frames, size, size, 3), dtype=np.uint8)
    for t in range(num_frames):
        frame = bg.copy()
        walkers.step_and_draw(frame)
        if start <= t < stop:
            if cls == 'Explosion':
                frac = (t - start) / max(stop - 1 - start, 1)
                radius = int(round(2 + (r_max - 2) * frac))
                boxes[0][t] = _draw_explosion(frame, centre, radius)
            elif cls == 'Fighting':
                centre_f = np.clip(centre_f + drift, 12, size - 12)
                for k, sign in enumerate((-1, 1)):
                    jitter = rng.integers(-3, 4, 2)
                    x = int(centre_f[0] + sign * 5 + jitter[0]) - 3
                    y = int(centre_f[1] + jitter[1]) - 6
                    boxes[k][t] = _fill_rect(
                        frame, x, y, x + 7, y + 13, _REDS[k]
                    )
        frame += rng.normal(0, 2.0, frame.shape).astype(np.float32)
        frames[t] = np.clip(frame, 0, 255).astype(np.uint8)
    return frames, boxes
