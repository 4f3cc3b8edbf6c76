"""Whole-video results: every frame's score, top segments, region heatmaps."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..evaluation.functional.protocols import expand_frame_scores
from ..evaluation.functional.smoothing import (
    check_smooth_kernel,
    merged_frame_scores,
)
from .inference import (
    FramePreprocessor,
    collect_scores,
    frame_geometry,
    iter_inference_vad,
)
from .prompts import set_prompts


@dataclass
class VADResult:
    """Scores of one video.

    Attributes:
        video (str): The file.
        fps (float): Frame rate.
        class_names (list[str]): Classes scored, normal first (C).
        frame_inds (np.ndarray): ``(S,)`` indices of the scored frames.
        scores (np.ndarray): ``(N,)`` score of every frame: the scored
            frames' scores smoothed over the whole video (``smooth_kernel``,
            as ``VADMetric`` does), linearly interpolated in between.
        class_probs (np.ndarray): ``(N, C)`` class probabilities of every
            frame (interpolated likewise).
        segments (list[dict]): Top anomalous segments, highest peak first:
            ``start_frame``, ``end_frame`` (inclusive), ``start_s``,
            ``end_s``, ``peak_frame``, ``peak_score``, ``class_name``.
        heatmaps (list[dict]): With ``heatmaps=True``, per segment peak:
            ``frame_index``, ``frame`` (h, w, 3) uint8 model input,
            ``patch_scores`` (gh, gw), ``boxes`` (K, 4) normalised,
            ``box_scores`` (K,), ``class_name``.
        smooth_kernel (int): Moving-average window applied to the scores,
            in scored frames (1 = none).
    """

    video: str
    fps: float
    class_names: List[str]
    frame_inds: np.ndarray
    scores: np.ndarray
    class_probs: np.ndarray
    segments: List[dict] = field(default_factory=list)
    heatmaps: List[dict] = field(default_factory=list)
    smooth_kernel: int = 1

    @property
    def num_frames(self) -> int:
        """Frames in the video."""
        return int(self.scores.shape[0])


def find_segments(
    scores: np.ndarray,
    class_probs: np.ndarray,
    class_names: Sequence[str],
    fps: float,
    threshold: float = 0.5,
    top_k: int = 3,
) -> List[dict]:
    """Runs of frames scoring >= ``threshold``, the ``top_k`` highest peaks.

    The class of a segment is the anomaly class (not the normal one) of
    highest mean probability over the segment.
    """
    above = np.concatenate([[False], scores >= threshold, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    segments = []
    for start, stop in zip(edges[::2], edges[1::2]):
        peak = start + int(np.argmax(scores[start:stop]))
        mean = class_probs[start:stop, 1:].mean(0)
        segments.append(
            dict(
                start_frame=int(start),
                end_frame=int(stop - 1),
                start_s=round(float(start / fps), 3) if fps else None,
                end_s=round(float((stop - 1) / fps), 3) if fps else None,
                peak_frame=int(peak),
                peak_score=float(scores[peak]),
                class_name=class_names[1 + int(np.argmax(mean))],
            )
        )
    segments.sort(key=lambda s: -s['peak_score'])
    return segments[:top_k]


@torch.no_grad()
def region_heatmaps(model, frames: torch.Tensor) -> Dict[str, torch.Tensor]:
    """Patch-prompt anomaly maps and scoring-box scores of frames.

    Each patch embedding of the dense map goes through the region adapter
    (as a box of one patch would) and is scored like a box:
    ``1 - p(normal)`` of its softmax over the class prompts at the regional
    temperature.

    Args:
        frames (Tensor): ``(N, 3, h, w)`` normalised model inputs.

    Returns:
        dict: ``patch_scores`` (N, gh, gw), ``box_scores`` (N, K) and
        ``patch_class`` (N, gh, gw) index of the likeliest class.
    """
    _, dense = model.extract_feat(frames[:, None])  # (N, 1, D, gh, gw)
    n, _, d, gh, gw = dense.shape
    scorer = model.scorer
    prompts = scorer.prompt_embeddings(
        model.backbone.encode_text, cacheable=True
    ).to(dense.device)
    _, region_scale = [s.detach() for s in model.logit_scales()]
    patches = dense[:, 0].permute(0, 2, 3, 1).reshape(-1, d)
    patches = F.normalize(model.region_head.adapt(patches), dim=-1)
    probs = scorer.class_probs(patches, prompts, region_scale)
    boxes = F.normalize(
        model.region_head.box_embeddings(dense, scorer.boxes), dim=-1
    )[:, 0]  # (N, K, D)
    box_probs = scorer.class_probs(boxes, prompts, region_scale)
    return dict(
        patch_scores=(1 - probs[:, 0]).reshape(n, gh, gw),
        patch_class=probs.argmax(-1).reshape(n, gh, gw),
        box_scores=1 - box_probs[..., 0],
    )


def heatmap_frames(
    model, video: str, result: VADResult, backend: str = 'pyav'
) -> List[dict]:
    """Region heatmaps of the peak frames of ``result.segments`` (or of the
    top-scoring frame when there is no segment); the frames are read again
    (random access), scored with :func:`region_heatmaps`."""
    from ..datasets.video_io import open_video

    peaks = sorted(
        {s['peak_frame'] for s in result.segments}
        or {int(np.argmax(result.scores))}
    )
    reader = open_video(video, backend)
    try:
        size, origin = frame_geometry(model, reader.frame_shape)
        frames = reader.get_frames(peaks, size)
    finally:
        reader.close()
    prep = FramePreprocessor(model, origin)
    maps = region_heatmaps(model, prep(frames))
    (y0, x0), (h, w) = origin, prep.size
    out = []
    for i, index in enumerate(peaks):
        out.append(
            dict(
                frame_index=index,
                frame=frames[i, y0 : y0 + h, x0 : x0 + w],
                score=float(result.scores[index]),
                patch_scores=maps['patch_scores'][i].cpu().numpy(),
                boxes=model.scorer.boxes.cpu().numpy(),
                box_scores=maps['box_scores'][i].cpu().numpy(),
            )
        )
    return out


def config_smooth_kernel(model) -> int:
    """``smooth_kernel`` of the ``VADMetric`` in the model's test config
    (``model.cfg.test_evaluator``), 1 when there is none."""
    cfg = getattr(model, 'cfg', None)
    evaluators = (cfg.get('test_evaluator') if cfg is not None else None) or []
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    for evaluator in evaluators:
        if evaluator.get('type') == 'VADMetric':
            return check_smooth_kernel(evaluator.get('smooth_kernel', 1))
    return 1


def _dense_result(
    model, video: str, chunks: list, smooth_kernel: int = 1
) -> VADResult:
    """Per-frame scores and class probabilities of every frame, filled in
    between the scored frames; the scores smoothed over the whole video
    first (:func:`merged_frame_scores`, as ``VADMetric`` does)."""
    from ..datasets.video_stream import probe_video

    inds, scores, probs, total = collect_scores(chunks)
    dense_probs = np.stack(
        [
            expand_frame_scores(inds, probs[:, c], total)
            for c in range(probs.shape[1])
        ],
        axis=1,
    )
    return VADResult(
        video,
        probe_video(video).fps,
        list(model.scorer.class_names),
        inds,
        merged_frame_scores(
            inds, scores, total, smooth_kernel=smooth_kernel
        ).astype(np.float32),
        dense_probs.astype(np.float32),
        smooth_kernel=smooth_kernel,
    )


def inference_vad(
    model,
    video: str,
    prompts: Optional[Sequence[str]] = None,
    prompt_mode: str = 'extend',
    threshold: float = 0.5,
    top_k: int = 3,
    heatmaps: bool = False,
    smooth_kernel: Optional[int] = None,
    **kwargs,
) -> VADResult:
    """Score every frame of a video.

    Args:
        model: see :func:`init_vad_model`.
        video (str): Video file.
        prompts (Sequence[str], optional): User anomaly prompts, see
            :func:`set_prompts` (None keeps what the model scores now).
        prompt_mode (str): ``'extend'`` or ``'replace'``.
        threshold (float): Segment threshold on the frame score.
        top_k (int): Segments kept.
        heatmaps (bool): Add region heatmaps of the segments' peak frames.
        smooth_kernel (int, optional): Moving average over the video's
            scored frames, after all clips are scored (odd, 1 = none).
            Defaults to the test config's ``VADMetric`` ``smooth_kernel``.
        **kwargs: :func:`iter_inference_vad` options (``stride``,
            ``clip_len``, ``batch_clips``, ``backend``, ``amp_dtype``, ...).

    Returns:
        VADResult: per-frame scores and class probabilities, segments.
    """
    if prompts is not None:
        set_prompts(model, prompts, prompt_mode)
    if smooth_kernel is None:
        smooth_kernel = config_smooth_kernel(model)
    smooth_kernel = check_smooth_kernel(smooth_kernel)
    result = _dense_result(
        model,
        video,
        list(iter_inference_vad(model, video, **kwargs)),
        smooth_kernel,
    )
    result.segments = find_segments(
        result.scores,
        result.class_probs,
        result.class_names,
        result.fps,
        threshold,
        top_k,
    )
    if heatmaps:
        result.heatmaps = heatmap_frames(
            model, video, result, kwargs.get('backend', 'pyav')
        )
    return result
