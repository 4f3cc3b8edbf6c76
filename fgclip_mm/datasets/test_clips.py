"""Test videos: their annotated intervals and frame counts, and clips that
together cover every frame."""

from typing import Callable, List, Mapping, Optional, Tuple

import numpy as np

from ..annotations import AnnotationError

__all__ = [
    'cover_video_with_clips',
    'check_test_intervals',
    'expand_clips',
    'json_intervals',
    'check_anomaly_has_intervals',
    'checked_total_frames',
]


def cover_video_with_clips(
    total_frames: int, clip_len: int, frame_interval: int = 1
) -> List[np.ndarray]:
    """Frame indices of clips that together cover every frame of a video.

    Clip ``k`` samples ``clip_len`` frames ``frame_interval`` apart starting at
    ``k * clip_len * frame_interval``; the last clip is shifted back so that
    its last frame is the video's last frame (it may overlap the one before).
    With ``frame_interval == 1`` every frame is sampled; otherwise every frame
    lies inside a clip's span and the metric fills in between sampled frames.
    Videos shorter than one clip repeat their last frame.

    Args:
        total_frames (int): Frames in the video.
        clip_len (int): Frames per clip.
        frame_interval (int): Gap between sampled frames. Defaults to 1.

    Returns:
        list[np.ndarray]: One int64 array of shape ``(clip_len,)`` per clip.
    """
    if total_frames <= 0:
        raise ValueError(f'total_frames must be positive, got {total_frames}')
    if clip_len <= 0 or frame_interval <= 0:
        raise ValueError(
            'clip_len and frame_interval must be positive, got '
            f'{clip_len} and {frame_interval}'
        )
    offsets = np.arange(clip_len, dtype=np.int64) * frame_interval
    span = int(offsets[-1]) + 1
    if span >= total_frames:
        return [np.minimum(offsets, total_frames - 1)]
    stride = clip_len * frame_interval
    starts = list(range(0, total_frames - span + 1, stride))
    if starts[-1] + span < total_frames:
        starts.append(total_frames - span)
    return [s + offsets for s in starts]


def check_test_intervals(
    intervals: np.ndarray, total: int, where: str
) -> np.ndarray:
    """Intervals of a test video checked against its frame count.

    An interval starting at or after the end is an error (its frames would
    silently vanish); an end past the video is clipped (the official
    UCF-Crime file has ends 1-2 frames past the end).

    Args:
        intervals (np.ndarray): ``(K, 2)`` int64 half-open intervals.
        total (int): Frames in the video.
        where (str): Names the video in errors.

    Returns:
        np.ndarray: The intervals, ends clipped to ``total``.
    """
    if total <= 0:
        raise AnnotationError(
            f'{where}: frame count must be positive, got {total}'
        )
    if not intervals.size:
        return intervals
    late = intervals[intervals[:, 0] >= total]
    if late.size:
        raise AnnotationError(
            f'{where}: anomaly interval(s) {late.tolist()} start at or after '
            f'the end of the video ({total} frames); their frames would '
            'silently vanish (wrong frame count or interval?)'
        )
    return np.minimum(intervals, total)


def expand_clips(
    records: List[dict],
    clip_len: int,
    frame_interval: int,
    counts: Mapping[str, int],
    probe: Callable[[dict], int],
    where: Callable[[dict], str],
) -> Tuple[List[dict], int]:
    """One sample per test clip, covering every frame of every video.

    Args:
        records (list[dict]): Video records with ``video_id``,
            ``anomaly_intervals`` and optionally ``total_frames``.
        clip_len (int): Frames per clip.
        frame_interval (int): Gap between a clip's frames.
        counts (Mapping[str, int]): Frame counts by video id, used where a
            record has none.
        probe (callable): ``probe(record) -> int`` frame count of a video
            known neither from the record nor from ``counts``.
        where (callable): ``where(record) -> str`` naming it in errors.

    Returns:
        tuple[list[dict], int]: Copies of the records with ``total_frames``,
        ``frame_inds``, ``clip_index``, ``num_clips`` and the checked
        ``anomaly_intervals``; the number of videos whose intervals were
        clipped to the video's end.
    """
    data_list, num_clipped = [], 0
    for rec in records:
        total: Optional[int] = rec.get('total_frames') or counts.get(
            rec['video_id']
        )
        total = int(probe(rec) if total is None else total)
        intervals = check_test_intervals(
            rec['anomaly_intervals'], total, where(rec)
        )
        num_clipped += not np.array_equal(intervals, rec['anomaly_intervals'])
        clips = cover_video_with_clips(total, clip_len, frame_interval)
        for k, inds in enumerate(clips):
            clip = dict(rec)
            clip.update(
                total_frames=total,
                frame_inds=inds,
                clip_index=k,
                num_clips=len(clips),
                anomaly_intervals=intervals,
            )
            data_list.append(clip)
    return data_list, num_clipped


def json_intervals(entry: dict, where: str) -> np.ndarray:
    """``anomaly_intervals`` of a test-mode JSON entry as int64 ``(K, 2)``
    (``[[start, end), ...]``, ``0 <= start < end``; null/absent = none)."""
    value = entry.get('anomaly_intervals')
    if value is None:
        return np.zeros((0, 2), dtype=np.int64)
    ok = isinstance(value, list) and all(
        isinstance(iv, (list, tuple))
        and len(iv) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in iv)
        and 0 <= iv[0] < iv[1]
        for iv in value
    )
    if not ok:
        raise AnnotationError(
            f"{where}: field 'anomaly_intervals' must be a list of "
            f'[start, end] integer frame pairs with 0 <= start < end, got '
            f'{value!r}',
            code='bad_intervals',
        )
    return np.asarray(value, dtype=np.int64).reshape(-1, 2)


def check_anomaly_has_intervals(
    class_name: str,
    is_anomaly: bool,
    intervals: np.ndarray,
    where: str,
    field: str,
) -> None:
    """An anomalous test video without intervals would get all-normal frame
    labels: an error, not a silent wrong ground truth."""
    if is_anomaly and intervals.size == 0:
        raise AnnotationError(
            f'{where}: class {class_name!r} is anomalous but {field} gives no '
            'anomaly interval; every frame would be labelled normal (annotate '
            'its intervals, or give it the normal class)',
            code='missing_intervals',
        )


def checked_total_frames(entry: dict, where: str) -> Optional[int]:
    total = entry.get('total_frames')
    if total is not None and (
        isinstance(total, bool) or not isinstance(total, int) or total <= 0
    ):
        raise AnnotationError(
            f"{where}: field 'total_frames' must be a positive integer or "
            f'null, got {total!r}',
            code='bad_total_frames',
        )
    return total
