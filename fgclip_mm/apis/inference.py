"""Scoring whole videos with an FG-CLIP model, in MMAction2's API style.

:func:`init_vad_model` mirrors ``mmaction.apis.init_recognizer``;
:func:`inference_vad` mirrors ``inference_recognizer`` but takes a video file
and returns a score for every frame. :func:`iter_inference_vad` is the online
form: it yields the scores chunk by chunk while the video is decoded (see
:func:`fgclip_mm.datasets.video_stream.stream_frames`).
"""

import logging
import os.path as osp
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from tqdm import tqdm

from ..datasets.video_stream import probe_video, stream_frames


@dataclass
class ScoredChunk:
    """Scores of one chunk of sampled frames (online output).

    Attributes:
        frame_inds (np.ndarray): ``(N,)`` indices of the scored frames.
        scores (np.ndarray): ``(N,)`` float32 anomaly scores in [0, 1].
        class_probs (np.ndarray): ``(N, C)`` float32 class probabilities.
        frames_read (int): Video frames decoded when the chunk was scored
            (at least ``frame_inds[-1] + 1``).
    """

    frame_inds: np.ndarray
    scores: np.ndarray
    class_probs: np.ndarray
    frames_read: int


def init_vad_model(
    config,
    checkpoint: Optional[str] = None,
    device: Union[str, torch.device] = 'cpu',
    cfg_options: Optional[dict] = None,
) -> torch.nn.Module:
    """Build a VAD model from a config and load a checkpoint.

    Args:
        config (str | Path | mmengine.Config): Config file or object.
        checkpoint (str, optional): Checkpoint path (weights-only loading);
            None keeps the initial weights. A file that is unreadable or
            does not fit the model raises
            :class:`fgclip_mm.engine.CheckpointError` naming the file and
            the keys that differ.
        device (str | torch.device): Device of the model. Defaults to cpu.
        cfg_options (dict, optional): Overrides merged into the config.

    Returns:
        nn.Module: The model in eval mode with its config as ``model.cfg``.
    """
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import fgclip_mm  # noqa: F401  (registers the components)

    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    with _init_report_silenced():
        model.init_weights()
    if checkpoint is not None:
        from fgclip_mm.engine.checkpoints import (
            load_state_dict_checked,
            read_checkpoint,
        )

        # unreadable files and other architectures: CheckpointError naming
        # the file and the keys that differ
        state = read_checkpoint(checkpoint, map_location='cpu')
        load_state_dict_checked(
            model,
            state.get('state_dict', state),
            checkpoint,
            hint='Use the config the checkpoint was trained with.',
        )
    model.cfg = cfg
    return model.to(device).eval()


@contextmanager
def _init_report_silenced():
    """Raise mmengine's current logger to WARNING for the block.

    Without a log file, ``BaseModule.init_weights`` logs two INFO lines per
    parameter (how it was initialised): hundreds of lines before a video is
    scored. Training still writes them to its log file.
    """
    from mmengine.logging import MMLogger

    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def config_test_settings(model) -> dict:
    """Clip length, frame interval and decode scale of the test config.

    Returns:
        dict: ``clip_len``, ``stride`` and ``scale`` (the
        ``DecodeSampledFrames`` scale, or None).
    """
    out = dict(clip_len=8, stride=1, scale=None)
    cfg = getattr(model, 'cfg', None)
    if cfg is None or not cfg.get('test_dataloader'):
        return out
    ds = cfg.test_dataloader.dataset
    ds = ds.get('dataset', ds)
    out.update(
        clip_len=int(ds.get('clip_len', 8)),
        stride=int(ds.get('frame_interval', 1)),
    )
    for step in ds.get('pipeline', []):
        if step.get('type') == 'DecodeSampledFrames':
            out['scale'] = step.get('scale')
    return out


def frame_geometry(
    model, frame_shape: Tuple[int, int]
) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """Decode size ``(width, height)`` and centre-crop origin ``(y0, x0)``.

    Frames are resized while decoding as the test pipeline does
    (``DecodeSampledFrames`` scale), then centre-cropped to the model's input.
    """
    from ..datasets.transforms.loading import target_size

    h, w = model.backbone.image_size
    size = target_size(config_test_settings(model)['scale'], frame_shape)
    if size is None:
        size = (w, h)
    if size[0] < w or size[1] < h:
        raise ValueError(
            f'decode size {size} is smaller than the model input {w}x{h}'
        )
    return size, ((size[1] - h) // 2, (size[0] - w) // 2)


class FramePreprocessor:
    """uint8 RGB frames -> normalised model inputs on the model's device.

    Args:
        model: the recognizer (its ``data_preprocessor`` mean/std and input
            size are used).
        origin (tuple[int, int]): centre-crop origin ``(y0, x0)``.
    """

    def __init__(self, model, origin: Tuple[int, int]) -> None:
        self.device = next(model.parameters()).device
        pre = model.data_preprocessor
        self.mean = pre.mean.view(1, 3, 1, 1).to(self.device)
        self.std = pre.std.view(1, 3, 1, 1).to(self.device)
        self.size = tuple(model.backbone.image_size)
        self.origin = origin

    def __call__(self, frames: np.ndarray) -> torch.Tensor:
        """(N, H, W, 3) uint8 -> (N, 3, h, w) float32 normalised."""
        (y0, x0), (h, w) = self.origin, self.size
        x = torch.from_numpy(
            np.ascontiguousarray(frames[:, y0 : y0 + h, x0 : x0 + w])
        ).to(self.device)
        x = x.permute(0, 3, 1, 2).float()
        return (x - self.mean) / self.std


def score_clips(
    model,
    inputs: torch.Tensor,
    clip_len: int,
    amp_dtype: Optional[torch.dtype] = None,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Score ``(N, 3, h, w)`` frames as consecutive clips of ``clip_len``.

    Full clips go in one batch, a shorter last clip in a second call.

    Returns:
        tuple[Tensor, Tensor]: scores ``(N,)`` and class probs ``(N, C)``.
    """
    n = inputs.shape[0]
    full = n // clip_len * clip_len
    parts = (
        [inputs[:full].reshape(-1, clip_len, *inputs.shape[1:])]
        if full
        else []
    )
    if full < n:
        parts.append(inputs[full:][None])
    scores, probs = [], []
    with (
        torch.no_grad(),
        torch.autocast(
            inputs.device.type,
            dtype=amp_dtype or torch.float32,
            enabled=amp_dtype is not None,
        ),
    ):
        for clips in parts:
            s, p = model.score_frames(clips)
            scores.append(s.float().flatten())
            probs.append(p.float().flatten(0, 1))
    return torch.cat(scores), torch.cat(probs)


def iter_inference_vad(
    model,
    video: str,
    stride: Optional[int] = None,
    clip_len: Optional[int] = None,
    batch_clips: int = 8,
    backend: str = 'pyav',
    prefetch: int = 2,
    amp_dtype: Optional[torch.dtype] = None,
    num_threads: int = 1,
    progress: bool = False,
) -> Iterator[ScoredChunk]:
    """Score a video online, one chunk of sampled frames at a time.

    The video is decoded once, in order, by a background thread, every
    ``stride``-th frame resized while decoding; each chunk of
    ``batch_clips * clip_len`` sampled frames is yielded as soon as it is
    scored (latency: :func:`online_latency`).

    Args:
        model: an FG-CLIP recognizer (see :func:`init_vad_model`).
        video (str): Video file.
        stride (int, optional): Score every ``stride``-th frame. Defaults to
            the test config's ``frame_interval``.
        clip_len (int, optional): Sampled frames per clip (the temporal
            adapter's context). Defaults to the test config's.
        batch_clips (int): Clips per model call. Defaults to 8.
        backend (str): ``'pyav'`` or ``'decord'``; ``prefetch``: chunks
            decoded ahead (0: no thread).
        amp_dtype (torch.dtype, optional): autocast dtype (e.g.
            ``torch.float16`` on cuda); None runs in float32.
        num_threads (int): Decoder threads; ``progress``: show a bar.

    Yields:
        ScoredChunk: scores of consecutive sampled frames.
    """
    stride = stride or config_test_settings(model)['stride']
    clip_len = clip_len or config_test_settings(model)['clip_len']
    info = probe_video(video)
    size, origin = frame_geometry(model, info.frame_shape)
    prep = FramePreprocessor(model, origin)
    chunk_len = batch_clips * clip_len
    args = (stride, chunk_len, size, backend, num_threads, prefetch)
    bar = dict(
        total=info.num_frames or None,
        unit='frame',
        leave=False,
        desc=osp.basename(video),
        disable=not progress,
    )
    with tqdm(**bar) as bar:
        for chunk in stream_frames(video, *args):
            bar.update(chunk.frames_read - bar.n)
            yield _score_chunk(model, chunk, prep, clip_len, amp_dtype)


def _score_chunk(
    model, chunk, prep, clip_len: int, amp_dtype: Optional[torch.dtype]
) -> ScoredChunk:
    """Scores of one decoded chunk (empty when only unkept frames came)."""
    scores, probs = torch.zeros(0), torch.zeros(0, 0)
    if chunk.indices.size:
        scores, probs = score_clips(
            model, prep(chunk.frames), clip_len, amp_dtype
        )
    return ScoredChunk(
        chunk.indices,
        scores.cpu().numpy(),
        probs.cpu().numpy(),
        chunk.frames_read,
    )


def online_latency(stride: int, clip_len: int, batch_clips: int) -> int:
    """Frames read after a frame before its score is yielded, at most.

    A sampled frame waits for its chunk (``batch_clips * clip_len`` sampled
    frames, ``stride`` apart); a frame between two sampled frames also waits
    for the next sampled frame (``stride - 1`` more, interpolation).
    """
    return batch_clips * clip_len * stride + stride - 1


def collect_scores(
    chunks: Sequence[ScoredChunk],
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Concatenate chunks: ``(frame_inds, scores, class_probs, frames)``."""
    scored = [c for c in chunks if c.frame_inds.size]
    if not scored:
        raise ValueError('no frame was scored')
    return (
        np.concatenate([c.frame_inds for c in scored]),
        np.concatenate([c.scores for c in scored]),
        np.concatenate([c.class_probs for c in scored]),
        chunks[-1].frames_read,
    )
