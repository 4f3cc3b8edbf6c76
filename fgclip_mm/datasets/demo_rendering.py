"""Drawing of the synthetic demo videos (see :mod:`.demo_data`): a textured
background, slowly walking muted pedestrians, and the anomalies (a growing
orange fireball; two red figures fighting)."""

from typing import List, Optional, Tuple

import numpy as np

__all__ = ['render_video', 'simulate_detections']

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

    def __init__(
        self, rng: np.random.Generator, size: int, crowd: bool = False
    ) -> None:
        n = int(rng.integers(8, 13) if crowd else rng.integers(2, 5))
        self.size = size
        self.wh = np.stack([rng.integers(4, 7, n), rng.integers(9, 14, n)], 1)
        self.pos = rng.uniform(0, size - 14, (n, 2))
        speed = rng.uniform(0.3, 1.0, n)
        angle = rng.uniform(0, 2 * np.pi, n)
        self.vel = np.stack([np.cos(angle), np.sin(angle)], 1) * speed[:, None]
        self.colour = _PEDESTRIAN_COLOURS[
            rng.integers(0, len(_PEDESTRIAN_COLOURS), n)
        ]

    def step_and_draw(self, frame: np.ndarray) -> List[tuple]:
        """Move, draw, and return the painted pixel box of each walker."""
        limit = self.size - self.wh
        self.pos += self.vel
        out = (self.pos < 0) | (self.pos > limit)
        self.vel[out] *= -1
        self.pos = np.clip(self.pos, 0, limit)
        painted = [
            _fill_rect(frame, x, y, x + w, y + h, c)
            for (x, y), (w, h), c in zip(
                self.pos.astype(int), self.wh, self.colour
            )
        ]
        return [b for b in painted if b is not None]


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


def _draw_small_fighter(
    frame: np.ndarray, x: int, y: int, colour: np.ndarray, fist_dx: int
) -> Optional[Tuple[int, int, int, int]]:
    """A pedestrian-sized figure in a muted colour with a small red fist on
    one side; returns the pixel extent of both."""
    body = _fill_rect(frame, x, y, x + 5, y + 11, colour)
    fist = _fill_rect(
        frame, x + fist_dx, y + 3, x + fist_dx + 3, y + 6, _REDS[0]
    )
    parts = [b for b in (body, fist) if b is not None]
    if not parts:
        return None
    return (
        min(b[0] for b in parts),
        min(b[1] for b in parts),
        max(b[2] for b in parts),
        max(b[3] for b in parts),
    )


class _Event:
    """The anomaly of one video: where it is and how it is drawn.

    ``small=False``: a fireball of up to a quarter of the frame, or two
    figures in red. ``small=True`` (the split where regions matter): a
    flash of at most ``size / 16`` pixels radius, or two figures in the
    pedestrians' colours that jitter fast and carry a small red fist; each
    covers a few % of the frame.
    """

    def __init__(
        self, rng: np.random.Generator, size: int, cls: str, small: bool
    ) -> None:
        self.rng, self.cls, self.small, self.size = rng, cls, small, size
        if cls == 'Explosion':
            lo, hi = (
                (size // 6, 5 * size // 6)
                if small
                else (size // 4, 3 * size // 4)
            )
            self.centre = tuple(int(v) for v in rng.integers(lo, hi, 2))
            self.r_max = (
                int(rng.integers(size // 24, size // 16 + 1))
                if small
                else int(rng.integers(size // 7, size // 4))
            )
        elif cls == 'Fighting':
            lo, hi = (0.15, 0.85) if small else (0.3, 0.7)
            self.centre = rng.uniform(size * lo, size * hi, 2)
            self.drift = rng.uniform(-0.3, 0.3, 2)
            if small:
                self.colours = _PEDESTRIAN_COLOURS[rng.integers(0, 5, 2)]

    def draw(self, frame: np.ndarray, frac: float) -> List[Optional[tuple]]:
        """Draw at ``frac`` in ``[0, 1]`` of the event; a box per region."""
        if self.cls == 'Explosion':
            r0 = 1 if self.small else 2
            radius = int(round(r0 + (self.r_max - r0) * frac))
            return [_draw_explosion(frame, self.centre, radius)]
        self.centre = np.clip(self.centre + self.drift, 12, self.size - 12)
        boxes = []
        for k, sign in enumerate((-1, 1)):
            jitter = self.rng.integers(-3, 4, 2)
            x = int(self.centre[0] + sign * 5 + jitter[0]) - 3
            y = int(self.centre[1] + jitter[1]) - 6
            if self.small:  # fists towards the other fighter
                fist_dx = 5 if sign < 0 else -3
                boxes.append(
                    _draw_small_fighter(frame, x, y, self.colours[k], fist_dx)
                )
            else:
                boxes.append(_fill_rect(frame, x, y, x + 7, y + 13, _REDS[k]))
        return boxes


def render_video(
    rng: np.random.Generator,
    size: int,
    num_frames: int,
    cls: str,
    interval: Tuple[int, int],
    small: bool = False,
) -> Tuple[np.ndarray, List[List[Optional[tuple]]], List[List[tuple]]]:
    """Render one video.

    Args:
        rng (np.random.Generator): The video's generator.
        size (int): Frame width and height ``S``.
        num_frames (int): Frames ``T``.
        cls (str): ``'Normal'``, ``'Explosion'`` or ``'Fighting'``.
        interval (tuple[int, int]): Half-open frame interval of the event.
        small (bool): A crowd and small anomalies (:class:`_Event`).
            Defaults to False.

    Returns:
        tuple: frames uint8 ``(T, S, S, 3)``; per region, the pixel box of
        the anomalous object on every frame (None where absent); per frame,
        the pixel boxes of every person (walkers and fighters), as a person
        detector would report them.
    """
    bg = _background(rng, size)
    walkers = _Walkers(rng, size, crowd=small)
    start, stop = interval
    num_regions = {'Normal': 0, 'Explosion': 1, 'Fighting': 2}[cls]
    boxes: List[List[Optional[tuple]]] = [
        [None] * num_frames for _ in range(num_regions)
    ]
    event = _Event(rng, size, cls, small) if num_regions else None
    people: List[List[tuple]] = []
    frames = np.empty((num_frames, size, size, 3), dtype=np.uint8)
    for t in range(num_frames):
        frame = bg.copy()
        people.append(walkers.step_and_draw(frame))
        if event is not None and start <= t < stop:
            drawn = event.draw(frame, (t - start) / max(stop - 1 - start, 1))
            for k, box in enumerate(drawn):
                boxes[k][t] = box
            if cls == 'Fighting':
                people[t] += [b for b in drawn if b is not None]
        frame += rng.normal(0, 2.0, frame.shape).astype(np.float32)
        frames[t] = np.clip(frame, 0, 255).astype(np.uint8)
    return frames, boxes, people


def simulate_detections(
    rng: np.random.Generator,
    people: List[List[tuple]],
    size: int,
    miss_rate: float = 0.1,
    jitter: float = 1.0,
) -> List[List[float]]:
    """What a person detector would report on a demo video: every drawn
    person's box, missed with probability ``miss_rate``, each coordinate
    moved by Gaussian noise of ``jitter`` pixels, with a random score.

    Args:
        rng (np.random.Generator): The detector's generator.
        people (list[list[tuple]]): Per frame, pixel boxes ``(x0, y0, x1,
            y1)`` of the persons (:func:`render_video`).
        size (int): Frame size in pixels.
        miss_rate (float): Share of missed persons. Defaults to 0.1.
        jitter (float): Box noise in pixels. Defaults to 1.

    Returns:
        list[list[float]]: Rows ``[frame, x1, y1, x2, y2, score]`` with
        normalised boxes (:mod:`fgclip_mm.datasets.pseudo_boxes`).
    """
    rows = []
    for t, boxes in enumerate(people):
        for box in boxes:
            if rng.random() < miss_rate:
                continue
            b = np.asarray(box, np.float64) + rng.normal(0, jitter, 4)
            b = np.clip(b / size, 0.0, 1.0)
            if b[2] > b[0] and b[3] > b[1]:
                rows.append([t] + b.tolist() + [rng.uniform(0.5, 1.0)])
    return rows
