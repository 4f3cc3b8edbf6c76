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
from .demo_rendering import render_video, simulate_detections
from .pseudo_boxes import save_pseudo_boxes
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

#: The captions of the split with small anomalies (``small_anomalies``): a
#: crowd, a small flash of fire, two people of the crowd fighting.
DEMO_SMALL_CAPTIONS: Dict[str, Dict[str, Tuple[str, ...]]] = {
    'Normal': {
        'global': (
            'A crowded square where many people walk slowly.',
            'Many pedestrians cross a busy square.',
            'A busy scene with a crowd of people walking.',
        ),
        'region': (
            'People walk calmly through the crowd.',
            'Pedestrians stroll across the square.',
        ),
    },
    'Explosion': {
        'global': (
            'A small fire flares up among the crowd in the square.',
            'A small blast flashes between the pedestrians.',
        ),
        'region': (
            'A small orange flame flaring up.',
            'A small bright flash of fire.',
        ),
    },
    'Fighting': {
        'global': (
            'Two people in the crowd fight, throwing fast punches.',
            'A fight breaks out between two people in a crowd.',
        ),
        'region': (
            'A person throwing fast punches.',
            'A person fighting back.',
        ),
    },
}


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
        small_anomalies (bool): The split where regions matter: a crowd of
            8-12 walkers, and anomalies of a few % of the frame that differ
            from the crowd in motion or a small detail (captions
            :data:`DEMO_SMALL_CAPTIONS`). Defaults to False.
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
    small_anomalies: bool = False


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


def make_demo_dataset(
    out_dir: str, seed: int = 0, cfg: Optional[DemoConfig] = None
) -> dict:
    """Write the demo dataset under ``out_dir``.

    Layout::

        out_dir/
          README.md
          train.json                 # FG-CLIP VAD JSON list
          test_annotations.txt       # UCF-Crime text format
          test_frame_counts.txt      # "name.mp4 num_frames" per test video
          pseudo_boxes.json          # simulated person detections (train)
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
    # the simulated detector has its own stream: the videos do not change
    det_rng = np.random.default_rng([seed, 1])
    train_entries, test_lines, count_lines = [], [], []
    detections = {}
    for split, cls, i in _plan(cfg):
        vrng = np.random.default_rng(rng.integers(2**63))
        name = f'{cls}_{split}_{i:03d}.mp4'
        rel = _video_rel(split, cls, name)
        num_frames, interval, boxes, people = _write_video(
            vrng, cfg, cls, osp.join(out_dir, rel)
        )
        if split == 'test':
            s, e = interval if cls != 'Normal' else (-1, -1)
            test_lines.append(f'{name}  {cls}  {s}  {e}  -1  -1')
            count_lines.append(f'{name} {num_frames}')
            continue
        train_entries.append(
            _train_entry(vrng, cfg, cls, rel, num_frames, interval, boxes)
        )
        detections[name[:-4]] = simulate_detections(det_rng, people, cfg.size)
    _write_annotations(
        out_dir, train_entries, test_lines, count_lines, detections
    )
    num_train, num_test = len(train_entries), len(test_lines)
    return _write_readme(
        out_dir, seed, cfg, num_train, num_test, time.time() - tic
    )


def _video_rel(split: str, cls: str, name: str) -> str:
    """Path of a video relative to the dataset root."""
    return f'videos/{split}/' + (f'{cls}/' if split == 'train' else '') + name


def _write_video(
    vrng: np.random.Generator, cfg: DemoConfig, cls: str, path: str
) -> tuple:
    """Render and write one video; returns its frame count, event
    interval, region boxes and per-frame person boxes."""
    num_frames = int(vrng.integers(cfg.min_frames, cfg.max_frames + 1))
    interval = _event_interval(vrng, cls, num_frames)
    frames, boxes, people = render_video(
        vrng, cfg.size, num_frames, cls, interval, small=cfg.small_anomalies
    )
    write_mp4(path, frames, cfg.fps)
    return num_frames, interval, boxes, people


def _plan(cfg: DemoConfig) -> List[Tuple[str, str, int]]:
    """``(split, class, index)`` of every video, in generation order."""
    anomaly_classes = DEMO_CLASSES[1:]
    plan = []
    for split, n_norm, n_anom in (
        ('train', cfg.num_train_normal, cfg.num_train_anomalous),
        ('test', cfg.num_test_normal, cfg.num_test_anomalous),
    ):
        plan += [(split, 'Normal', i) for i in range(n_norm)]
        plan += [
            (split, anomaly_classes[i % len(anomaly_classes)], i)
            for i in range(n_anom)
        ]
    return plan


def _event_interval(
    vrng: np.random.Generator, cls: str, num_frames: int
) -> Tuple[int, int]:
    """Half-open frame interval of the event (``(0, 0)`` for normal)."""
    if cls == 'Normal':
        return 0, 0
    start = int(vrng.uniform(0.15, 0.45) * num_frames)
    length = int(vrng.uniform(0.35, 0.55) * num_frames)
    return start, min(num_frames, start + max(length, 8))


def _train_entry(
    vrng: np.random.Generator,
    cfg: DemoConfig,
    cls: str,
    rel: str,
    num_frames: int,
    interval: Tuple[int, int],
    boxes: list,
) -> dict:
    """The FG-CLIP JSON entry of a training video."""
    captions = (DEMO_SMALL_CAPTIONS if cfg.small_anomalies else DEMO_CAPTIONS)[
        cls
    ]
    entry = dict(
        video=rel, global_caption=_choose(vrng, captions['global'])[0]
    )
    if cls == 'Normal':
        duration = num_frames / cfg.fps
        t0 = round(float(vrng.uniform(0, 0.3)) * duration, 1)
        t1 = round(
            min(duration, t0 + float(vrng.uniform(0.5, 0.7)) * duration), 1
        )
        entry.update(
            region_captions=_choose(vrng, captions['region']),
            box_infos=[[]],
            timestamps=[t0, t1],
        )
        return entry
    kfs = _keyframes(interval[0], interval[1], cfg.keyframe_step)
    entry.update(
        region_captions=_choose(vrng, captions['region'], len(boxes)),
        box_infos=[
            [
                dict(frame=f, bbox=_norm_box(region[f], cfg.size))
                for f in kfs
                if region[f] is not None
            ]
            for region in boxes
        ],
        timestamps=None,
    )
    return entry


def _write_readme(
    out_dir: str,
    seed: int,
    cfg: DemoConfig,
    num_train: int,
    num_test: int,
    seconds: float,
) -> dict:
    """Write the dataset's README; returns the generation summary."""
    summary = dict(
        out_dir=out_dir,
        seed=seed,
        num_train=num_train,
        num_test=num_test,
        classes=list(DEMO_CLASSES),
        config=asdict(cfg),
        seconds=round(seconds, 2),
    )
    with open(osp.join(out_dir, 'README.md'), 'w') as f:
        f.write(_README.format(**summary, fps=cfg.fps, size=cfg.size))
    return summary


def _write_annotations(
    out_dir: str,
    train_entries: List[dict],
    test_lines: List[str],
    count_lines: List[str],
    detections: Dict[str, list],
) -> None:
    with open(osp.join(out_dir, 'train.json'), 'w') as f:
        json.dump(train_entries, f, indent=1)
    with open(osp.join(out_dir, 'test_annotations.txt'), 'w') as f:
        f.write('\n'.join(test_lines) + '\n')
    with open(osp.join(out_dir, 'test_frame_counts.txt'), 'w') as f:
        f.write('\n'.join(count_lines) + '\n')
    save_pseudo_boxes(
        osp.join(out_dir, 'pseudo_boxes.json'),
        detections,
        source='fgclip_mm.datasets.demo_rendering.simulate_detections',
    )


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

- `pseudo_boxes.json`: simulated person detections of the training videos
  (`fgclip_mm.datasets.pseudo_boxes` format), for the pseudo-box ablation.

Explosion = a growing orange fireball; Fighting = two red figures jittering
around each other; normal videos only show slowly walking muted figures.
Captions come from `fgclip_mm.datasets.demo_data.DEMO_CAPTIONS`. With
`--small-anomalies`: a crowd, a small flash of fire, two muted figures with
small red fists jittering fast (`DEMO_SMALL_CAPTIONS`).
"""
