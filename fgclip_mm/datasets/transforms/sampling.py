"""Choose the frames of a clip from the annotation (no decoding)."""

from typing import Dict, List, Optional, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .loading import describe_sample


def _uniform_in_window(
    start: int, stop: int, num: int, random: bool, rng: np.random.RandomState
) -> np.ndarray:
    """``num`` frames spread over ``[start, stop)``: one per equal segment
    (random position in training, the middle in testing); repeats frames when
    the window is shorter than ``num``."""
    length = stop - start
    if num <= 0:
        return np.zeros(0, dtype=np.int64)
    if length < num:
        return start + (np.arange(num) * length // num).astype(np.int64)
    edges = start + np.linspace(0, length, num + 1)
    lo = np.ceil(edges[:-1]).astype(np.int64)
    hi = np.maximum(lo + 1, np.ceil(edges[1:]).astype(np.int64))
    if random:
        return lo + (rng.rand(num) * (hi - lo)).astype(np.int64)
    return (lo + hi - 1) // 2


def _window_cost(
    start: int, length: int, lo: int, hi: int, total: int
) -> Tuple[int, int]:
    """Frames of a window ``[start, start + length)`` outside the video,
    then outside ``[lo, hi)`` (compared as a tuple: fewer is better)."""
    stop = start + length
    return (
        max(0, -start) + max(0, stop - total),
        max(0, lo - start) + max(0, stop - hi),
    )


def _stride_window(
    lo: int,
    hi: int,
    num: int,
    stride: int,
    total: int,
    random: bool,
    rng: np.random.RandomState,
    anchor: Optional[int] = None,
) -> np.ndarray:
    """``num`` frames ``stride`` apart, placed inside ``[lo, hi)`` where the
    window fits, else covering ``[lo, hi)`` inside the video; through
    ``anchor`` when given. Random placement among the best ones in training,
    the middle one in testing; frames past the video repeat its last frame.
    """
    length = (num - 1) * stride + 1
    if anchor is not None:
        starts = [anchor - j * stride for j in range(num)][::-1]
        costs = [_window_cost(s, length, lo, hi, total) for s in starts]
        best = [s for s, c in zip(starts, costs) if c == min(costs)]
        start = (
            best[rng.randint(len(best))]
            if random
            else best[(len(best) - 1) // 2]
        )
    else:
        if hi - lo >= length:
            a, b = lo, hi - length
        else:  # cover the span, inside the video when it is long enough
            a, b = max(hi - length, 0), max(min(lo, total - length), 0)
            a = min(a, b)
        start = a + rng.randint(b - a + 1) if random else (a + b) // 2
    inds = start + np.arange(num, dtype=np.int64) * stride
    return np.clip(inds, 0, total - 1)


@TRANSFORMS.register_module()
class SampleAnnotatedFrames(BaseTransform):
    """Choose the frames of one clip, following the annotation.

    Strategies (ablation B of the seed plan):

    - ``'timestamped'`` (the method): a normal video with ``timestamps`` is
      sampled uniformly inside ``[start_s, end_s]``; an anomalous video with
      keyframes is sampled around its annotated span (first to last keyframe of
      all regions, widened by ``span_margin`` seconds) and the clip always
      contains real keyframes (``keyframe_ratio`` of the frames, at least one);
      videos with neither are sampled over the whole video. How the frames
      are laid out in that window is ``span_sampling``:

      - ``'uniform'``: spread over the whole window (one frame per equal
        segment), so the gap between frames grows with the span;
      - ``'stride'``: ``clip_len`` consecutive frames ``frame_interval``
        apart (the test clips' stride) at a random place inside the window.
        An anomalous clip holds one real keyframe of every region: the
        window runs through one of them (the anchor) and the other regions'
        keyframes replace the window frames farthest from the anchor
        (``keyframe_ratio`` is not used). The temporal adapter then sees
        the same frame gaps in training as in testing.
    - ``'full_video'``: uniform over the whole video (one frame per equal
      segment), ignoring the annotation.
    - ``'random_clip'``: ``clip_len`` consecutive frames ``frame_interval``
      apart at a random position in the video, ignoring the annotation.

    With ``test_mode=True`` every choice is deterministic (segment middles,
    evenly spread keyframes, centred clip). Samples that already carry
    ``frame_inds`` (test-mode clips from the dataset) are left unchanged.

    Required Keys:

        - total_frames
        - fps (``'timestamped'`` only)
        - timestamps, box_infos (``'timestamped'`` only)

    Added Keys:

        - frame_inds (np.int64 ``(clip_len,)``, sorted, absolute 0-based)
        - clip_len
        - frame_interval
        - num_clips (1)

    Args:
        clip_len (int): Frames per clip. Defaults to 8.
        strategy (str): ``'timestamped'``, ``'full_video'`` or
            ``'random_clip'``. Defaults to ``'timestamped'``.
        frame_interval (int): Gap between frames of ``'random_clip'`` and
            of ``span_sampling='stride'``. Defaults to 1.
        keyframe_ratio (float): Share of an anomalous clip's frames taken from
            the real keyframes (at least one, at most all keyframes).
            Defaults to 0.5.
        span_margin (float): Seconds added on each side of an anomaly's
            annotated span. Defaults to 1.0.
        span_sampling (str): ``'uniform'`` or ``'stride'``: the layout of
            ``'timestamped'`` frames inside the annotated window (above).
            Defaults to ``'uniform'``.
        test_mode (bool): Deterministic sampling. Defaults to False.
    """

    STRATEGIES = ('timestamped', 'full_video', 'random_clip')
    SPAN_SAMPLINGS = ('uniform', 'stride')

    def __init__(
        self,
        clip_len: int = 8,
        strategy: str = 'timestamped',
        frame_interval: int = 1,
        keyframe_ratio: float = 0.5,
        span_margin: float = 1.0,
        span_sampling: str = 'uniform',
        test_mode: bool = False,
    ) -> None:
        if strategy not in self.STRATEGIES:
            raise ValueError(
                f'strategy must be one of {self.STRATEGIES}, got {strategy!r}'
            )
        if span_sampling not in self.SPAN_SAMPLINGS:
            raise ValueError(
                f'span_sampling must be one of {self.SPAN_SAMPLINGS}, '
                f'got {span_sampling!r}'
            )
        if clip_len <= 0 or frame_interval <= 0:
            raise ValueError('clip_len and frame_interval must be positive')
        if not 0 <= keyframe_ratio <= 1:
            raise ValueError('keyframe_ratio must be in [0, 1]')
        self.clip_len = clip_len
        self.strategy = strategy
        self.frame_interval = frame_interval
        self.keyframe_ratio = keyframe_ratio
        self.span_margin = span_margin
        self.span_sampling = span_sampling
        self.test_mode = test_mode

    # The global numpy RNG is what mmengine seeds per worker and per epoch.
    @property
    def _rng(self) -> np.random.RandomState:
        return np.random.mtrand._rand

    def _random_clip(self, total: int) -> np.ndarray:
        offsets = np.arange(self.clip_len) * self.frame_interval
        span = int(offsets[-1]) + 1
        if span >= total:
            return np.minimum(offsets, total - 1).astype(np.int64)
        start = (
            (total - span) // 2
            if self.test_mode
            else self._rng.randint(0, total - span + 1)
        )
        return (start + offsets).astype(np.int64)

    def _around_keyframes(
        self, regions: List[List[int]], fps: float, total: int
    ) -> np.ndarray:
        """``clip_len`` frames: real keyframes (at least one of every region,
        so no region is left out of the clip), the rest spread over the
        annotated span widened by ``span_margin`` seconds."""
        random = not self.test_mode
        keyframes = sorted({f for r in regions for f in r})
        margin = int(round(self.span_margin * fps))
        start = max(0, keyframes[0] - margin)
        stop = min(total, keyframes[-1] + margin + 1)
        if self.span_sampling == 'stride':
            return self._keyframe_window(
                regions, keyframes, start, stop, total
            )
        num_kf = min(
            len(keyframes),
            max(
                len(regions),
                int(round(self.keyframe_ratio * self.clip_len)),
                1,
            ),
            self.clip_len,
        )
        chosen = self._choose_keyframes(regions, keyframes, num_kf, random)
        rest = _uniform_in_window(
            start, stop, self.clip_len - num_kf, random, self._rng
        )
        taken = set(chosen.tolist())
        for i, f in enumerate(rest.tolist()):  # avoid repeating keyframes
            for cand in (f, f + 1, f - 1, f + 2, f - 2):
                if start <= cand < stop and cand not in taken:
                    rest[i] = cand
                    break
            taken.add(int(rest[i]))
        return np.sort(np.concatenate([chosen, rest]))

    def _keyframe_window(
        self,
        regions: List[List[int]],
        keyframes: List[int],
        start: int,
        stop: int,
        total: int,
    ) -> np.ndarray:
        """``span_sampling='stride'`` for an anomaly: a window at the test
        stride through one region's keyframe (the anchor), the other regions'
        keyframes in place of the window frames farthest from the anchor."""
        random = not self.test_mode
        # one keyframe per region (regions may share keyframes)
        num_kf = min(len(regions), len(keyframes), self.clip_len)
        chosen = self._choose_keyframes(regions, keyframes, num_kf, random)
        anchor = int(
            chosen[self._rng.randint(len(chosen))]
            if random
            else np.sort(chosen)[(len(chosen) - 1) // 2]
        )
        window = _stride_window(
            start,
            stop,
            self.clip_len,
            self.frame_interval,
            total,
            random,
            self._rng,
            anchor,
        )
        others = [f for f in chosen.tolist() if f not in window.tolist()]
        # keyframes already in the window are kept, then the nearest frames
        dist = np.where(np.isin(window, chosen), -1, np.abs(window - anchor))
        near = np.argsort(dist, kind='stable')
        keep = window[near[: self.clip_len - len(others)]]
        return np.sort(np.concatenate([keep, np.asarray(others, np.int64)]))

    def _choose_keyframes(
        self,
        regions: List[List[int]],
        keyframes: List[int],
        num: int,
        random: bool,
    ) -> np.ndarray:
        """``num`` distinct keyframes: one per region first (random, or the
        middle one in test mode), then others from all regions."""
        chosen: List[int] = []
        for frames in regions[:num]:
            options = [f for f in frames if f not in chosen] or frames
            pick = (
                options[self._rng.randint(len(options))]
                if random
                else options[len(options) // 2]
            )
            if pick not in chosen:
                chosen.append(pick)
        others = np.asarray(
            [f for f in keyframes if f not in chosen], dtype=np.int64
        )
        extra = num - len(chosen)
        if extra > 0 and random:
            chosen += self._rng.choice(others, extra, replace=False).tolist()
        elif extra > 0:
            pos = np.round(np.linspace(0, len(others) - 1, extra))
            chosen += others[pos.astype(np.int64)].tolist()
        return np.asarray(chosen, dtype=np.int64)

    def _timestamped(self, results: Dict, total: int) -> np.ndarray:
        regions = [
            sorted({kf['frame'] for kf in region if kf['frame'] < total})
            for region in results.get('box_infos') or []
        ]
        regions = [r for r in regions if r]
        if regions:
            return self._around_keyframes(regions, results['fps'], total)
        random = not self.test_mode
        ts = results.get('timestamps')
        if ts is not None:
            fps = results['fps']
            start = max(0, int(np.floor(ts[0] * fps)))
            stop = min(total, int(np.ceil(ts[1] * fps)))
            if stop <= start:
                raise ValueError(
                    f'{describe_sample(results)}: timestamps {list(ts)} s lie '
                    f'outside the video ({total} frames at {fps:g} fps)'
                )
        else:
            start, stop = 0, total
        if self.span_sampling == 'stride':
            return _stride_window(
                start,
                stop,
                self.clip_len,
                self.frame_interval,
                total,
                random,
                self._rng,
            )
        return _uniform_in_window(
            start, stop, self.clip_len, random, self._rng
        )

    def transform(self, results: Dict) -> Dict:
        if results.get('frame_inds') is not None:
            return results
        total = int(results['total_frames'])
        if total <= 0:
            raise ValueError(
                f'{describe_sample(results)}: the video has no frames'
            )
        if self.strategy == 'random_clip':
            inds = self._random_clip(total)
        elif self.strategy == 'full_video':
            inds = _uniform_in_window(
                0, total, self.clip_len, not self.test_mode, self._rng
            )
        else:
            inds = self._timestamped(results, total)
        results['frame_inds'] = np.asarray(inds, dtype=np.int64)
        results['clip_len'] = self.clip_len
        results['frame_interval'] = self.frame_interval
        results['num_clips'] = 1
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(clip_len={self.clip_len}, '
            f'strategy={self.strategy!r}, '
            f'frame_interval={self.frame_interval}, '
            f'keyframe_ratio={self.keyframe_ratio}, '
            f'span_margin={self.span_margin}, '
            f'span_sampling={self.span_sampling!r}, '
            f'test_mode={self.test_mode})'
        )


__all__ = ['SampleAnnotatedFrames']
