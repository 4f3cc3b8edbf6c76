"""A small synthetic surveillance-like VAD dataset, generated in seconds.

Scenes are a static textured grey background with a few slowly walking muted
"pedestrians" (small blue/green/grey/beige rectangles). Anomalies are visible
in every frame they occupy and never appear in normal videos:

* ``Explosion``: a bright orange disc with a yellow core that grows linearly
  from a point (one region, the fireball);
* ``Fighting``: two red figures jittering fast around each other (two regions,
  one per fighter).

Training videos follow the FG-CLIP VAD JSON format exactly (normal videos carry
``timestamps`` of a sub-segment; anomalous ones keyframe boxes every
``keyframe_step`` frames that tightly enclose the drawn object); test videos
come with a UCF-Crime-format annotation (``name class s1 e1 s2 e2``, half-open
frame intervals, ``-1`` for none) and a frame-count file. Captions are drawn
from the fixed sentences in :data:`DEMO_CAPTIONS`, so that scoring prompts can
reuse them. Everything is a function of the seed.

Use :func:`make_demo_dataset` or ``tools/data/make_demo_dataset.py``.
"""
import json
import os.path as osp
import time
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..annotations.class_names import DEMO_CLASSES
from .video_writer import write_mp4

#: The only sentences the demo annotations use, per class and level.
DEMO_CAPTIONS: Dict[str, Dict[str, Tuple[str, ...]]] = {
    'Normal': {
        'global': (
            'A normal surveillance video of people walking across a square.',
            'A quiet scene where a few pedestrians walk slowly.',
            'An ordinary street scene with people passing by.',
        ),
        'region': (
            'People walk calmly through the scene.',
            'A few pedestrians stroll across the ground.',
        ),
    },
    'Explosion': {
        'global': (
            'An explosion happens and a bright orange fireball grows in the '
            'scene.',
            'A sudden blast creates an expanding ball of fire among the '
            'pedestrians.',
        ),
        'region': (
            'A bright orange fireball expanding from the blast.',
            'A growing orange and yellow explosion.',
        ),
    },
    'Fighting': {
        'global': (
            'Two people in red fight violently in the middle of the scene.',
            'A fight breaks out as two people in red attack each other.',
        ),
        'region': (
            'A person in red throwing punches.',
            'A person in red fighting back.',
        ),
    },
}

_PEDESTRIAN_COLOURS = np.array([[70, 80, 120], [80, 110, 80], [55, 55, 65],
                                [150, 140, 120], [100, 100, 140]],
                               dtype=np.float32)
_ORANGE = np.array([255, 130, 20], dtype=np.float32)
_YELLOW = np.array([255, 235, 90], dtype=np.float32)
_REDS = np.array([[225, 25, 25], [170, 15, 30]], dtype=np.float32)


@dataclass
class DemoConfig:
    """Size of the demo dataset.

    Args:
        num_train_normal (int): Normal training videos. Defaults to 20.
        num_train_anomalous (int): Anomalous training videos (classes
            alternate). Defaults to 20.
        num_test_normal (int): Normal test videos. Defaults to 8.
        num_test_anomalous (int): Anomalous test videos. Defaults to 8.
        size (int): Frame width and height in pixels. Defaults to 96.
        min_frames (int): Shortest video. Defaults to 48.
        max_frames (int): Longest video. Defaults to 96.
        fps (int): Frame rate. Defaults to 10.
        keyframe_step (int): Frames between annotated keyframes. Defaults to 8.
    """
    num_train_normal: int = 20
    num_train_anomalous: int = 20
    num_test_normal: int = 8
    num_test_anomalous: int = 8
    size: int = 96
    min_frames: int = 48
    max_frames: int = 96
    fps: int = 10
    keyframe_step: int = 8


# --------------------------------------------------------------------- drawing
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
        bg[y:y + h, x:x + w] *= 0.8
    return bg


def _fill_rect(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int,
               colour: np.ndarray) -> Optional[Tuple[int, int, int, int]]:
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
        self.colour = _PEDESTRIAN_COLOURS[rng.integers(
            0, len(_PEDESTRIAN_COLOURS), n)]

    def step_and_draw(self, frame: np.ndarray) -> None:
        limit = self.size - self.wh
        self.pos += self.vel
        out = (self.pos < 0) | (self.pos > limit)
        self.vel[out] *= -1
        self.pos = np.clip(self.pos, 0, limit)
        for (x, y), (w,
                     h), c in zip(self.pos.astype(int), self.wh, self.colour):
            _fill_rect(frame, x, y, x + w, y + h, c)


def _draw_explosion(frame: np.ndarray, centre: Tuple[int, int],
                    radius: int) -> Tuple[int, int, int, int]:
    """Filled disc; returns its pixel extent ``(x0, y0, x1, y1)``, exclusive
    ends."""
    import cv2
    cx, cy = centre
    cv2.circle(frame, (cx, cy), radius, _ORANGE.tolist(), -1)
    if radius >= 2:
        cv2.circle(frame, (cx, cy), max(1, int(radius * 0.55)),
                   _YELLOW.tolist(), -1)
    h, w = frame.shape[:2]
    return (max(cx - radius, 0), max(cy - radius,
                                     0), min(cx + radius + 1,
                                             w), min(cy + radius + 1, h))


def _render(
    rng: np.random.Generator, cfg: DemoConfig, num_frames: int, cls: str,
    interval: Tuple[int,
                    int]) -> Tuple[np.ndarray, List[List[Optional[tuple]]]]:
    """Frames uint8 ``(T, S, S, 3)`` and, per region, the pixel box of the
    anomalous object on every frame (None where absent)."""
    size = cfg.size
    bg = _background(rng, size)
    walkers = _Walkers(rng, size)
    start, stop = interval
    num_regions = {'Normal': 0, 'Explosion': 1, 'Fighting': 2}[cls]
    boxes: List[List[Optional[tuple]]] = [[None] * num_frames
                                          for _ in range(num_regions)]
    if cls == 'Explosion':
        centre = tuple(
            int(v) for v in rng.integers(size // 4, 3 * size // 4, 2))
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
                    boxes[k][t] = _fill_rect(frame, x, y, x + 7, y + 13,
                                             _REDS[k])
        frame += rng.normal(0, 2.0, frame.shape).astype(np.float32)
        frames[t] = np.clip(frame, 0, 255).astype(np.uint8)
    return frames, boxes


# ------------------------------------------------------------------ annotation
def _norm_box(box: tuple, size: int) -> List[float]:
    return [round(v / size, 6) for v in box]


def _keyframes(start: int, stop: int, step: int) -> List[int]:
    frames = list(range(start, stop, step))
    if frames[-1] != stop - 1:
        frames.append(stop - 1)
    return frames


def _choose(rng: np.random.Generator, options: tuple, k: int = 1) -> list:
    idx = rng.choice(len(options), size=k, replace=False)
    return [options[i] for i in idx]


def make_demo_dataset(out_dir: str,
                      seed: int = 0,
                      cfg: Optional[DemoConfig] = None) -> dict:
    """Write the demo dataset under ``out_dir``.

    Layout::

        out_dir/
          README.md
          train.json                 # FG-CLIP VAD JSON list
          test_annotations.txt       # UCF-Crime text format
          test_frame_counts.txt      # "name.mp4 num_frames" per test video
          videos/train/{Normal,Explosion,Fighting}/<Class>_train_NNN.mp4
          videos/test/<Class>_test_NNN.mp4

    Args:
        out_dir (str): Output directory (created; existing files overwritten).
        seed (int): Seed; the same seed gives identical annotations.
            Defaults to 0.
        cfg (DemoConfig, optional): Sizes. Defaults to ``DemoConfig()``.

    Returns:
        dict: Summary (counts, seconds taken, paths).
    """
    cfg = cfg or DemoConfig()
    if cfg.size % 2:
        raise ValueError('size must be even (yuv420p)')
    tic = time.time()
    rng = np.random.default_rng(seed)
    train_entries, test_lines, count_lines = [], [], []
    for split, cls, i in _plan(cfg):
        vrng = np.random.default_rng(rng.integers(2**63))
        num_frames = int(vrng.integers(cfg.min_frames, cfg.max_frames + 1))
        interval = _event_interval(vrng, cls, num_frames)
        name = f'{cls}_{split}_{i:03d}.mp4'
        rel = (f'videos/train/{cls}/{name}'
               if split == 'train' else f'videos/test/{name}')
        frames, boxes = _render(vrng, cfg, num_frames, cls, interval)
        write_mp4(osp.join(out_dir, rel), frames, cfg.fps)
        if split == 'test':
            s, e = interval if cls != 'Normal' else (-1, -1)
            test_lines.append(f'{name}  {cls}  {s}  {e}  -1  -1')
            count_lines.append(f'{name} {num_frames}')
        else:
            train_entries.append(
                _train_entry(vrng, cfg, cls, rel, num_frames, interval,
                             boxes))
    summary = dict(
        out_dir=out_dir,
        seed=seed,
        num_train=len(train_entries),
        num_test=len(test_lines),
        classes=list(DEMO_CLASSES),
        config=asdict(cfg))
    _write_annotations(out_dir, train_entries, test_lines, count_lines)
    summary['seconds'] = round(time.time() - tic, 2)
    with open(osp.join(out_dir, 'README.md'), 'w') as f:
        f.write(_README.format(**summary, fps=cfg.fps, size=cfg.size))
    return summary


def _plan(cfg: DemoConfig) -> List[Tuple[str, str, int]]:
    """``(split, class, index)`` of every video, in generation order."""
    anomaly_classes = DEMO_CLASSES[1:]
    plan = []
    for split, n_norm, n_anom in (('train', cfg.num_train_normal,
                                   cfg.num_train_anomalous),
                                  ('test', cfg.num_test_normal,
                                   cfg.num_test_anomalous)):
        plan += [(split, 'Normal', i) for i in range(n_norm)]
        plan += [(split, anomaly_classes[i % len(anomaly_classes)], i)
                 for i in range(n_anom)]
    return plan


def _event_interval(vrng: np.random.Generator, cls: str,
                    num_frames: int) -> Tuple[int, int]:
    """Half-open frame interval of the event (``(0, 0)`` for normal)."""
    if cls == 'Normal':
        return 0, 0
    start = int(vrng.uniform(0.15, 0.45) * num_frames)
    length = int(vrng.uniform(0.35, 0.55) * num_frames)
    return start, min(num_frames, start + max(length, 8))


def _train_entry(vrng: np.random.Generator, cfg: DemoConfig, cls: str,
                 rel: str, num_frames: int, interval: Tuple[int, int],
                 boxes: list) -> dict:
    """The FG-CLIP JSON entry of a training video."""
    captions = DEMO_CAPTIONS[cls]
    entry = dict(video=rel, global_caption=_choose(vrng, captions['global'])[0])
    if cls == 'Normal':
        duration = num_frames / cfg.fps
        t0 = round(float(vrng.uniform(0, 0.3)) * duration, 1)
        t1 = round(
            min(duration, t0 + float(vrng.uniform(0.5, 0.7)) * duration), 1)
        entry.update(
            region_captions=_choose(vrng, captions['region']),
            box_infos=[[]],
            timestamps=[t0, t1])
        return entry
    kfs = _keyframes(interval[0], interval[1], cfg.keyframe_step)
    entry.update(
        region_captions=_choose(vrng, captions['region'], len(boxes)),
        box_infos=[[
            dict(frame=f, bbox=_norm_box(region[f], cfg.size)) for f in kfs
            if region[f] is not None
        ] for region in boxes],
        timestamps=None)
    return entry


def _write_annotations(out_dir: str, train_entries: List[dict],
                       test_lines: List[str], count_lines: List[str]) -> None:
    with open(osp.join(out_dir, 'train.json'), 'w') as f:
        json.dump(train_entries, f, indent=1)
    with open(osp.join(out_dir, 'test_annotations.txt'), 'w') as f:
        f.write('\n'.join(test_lines) + '\n')
    with open(osp.join(out_dir, 'test_frame_counts.txt'), 'w') as f:
        f.write('\n'.join(count_lines) + '\n')


_README = """# fgclip_mm demo dataset

Synthetic surveillance-like videos written by
`tools/data/make_demo_dataset.py --seed {seed}`
(`fgclip_mm.datasets.demo_data`).
{num_train} training and {num_test} test videos, {size}x{size} pixels at {fps}
fps, classes {classes} (index 0 is normal).

- `train.json`: the FG-CLIP VAD annotation format (a JSON list of `video`,
  `global_caption`, `region_captions`, `box_infos`, `timestamps`); normal
  videos have `timestamps` of a sub-segment and `box_infos == [[]]`, anomalous
  ones have keyframe boxes (normalised x1y1x2y2, tight around the object) and
  null `timestamps`. Video paths are relative to this directory.
- `test_annotations.txt`: UCF-Crime format `name class s1 e1 s2 e2`, half-open
  frame intervals `[s, e)`, `-1` for none; videos in `videos/test/`.
- `test_frame_counts.txt`: `name num_frames` per test video.

Explosion = a growing orange fireball; Fighting = two red figures jittering
around each other; normal videos only show slowly walking muted figures.
Captions come from `fgclip_mm.datasets.demo_data.DEMO_CAPTIONS`.
"""
