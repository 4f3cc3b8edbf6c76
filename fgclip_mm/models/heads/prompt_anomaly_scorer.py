"""Test-time anomaly scoring against text prompts (global + regional)."""

import logging
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.logging import print_log

DEFAULT_TEMPLATES = (
    'a surveillance video frame of {}.',
    'a photo of {}.',
    'a video of {}.',
)


def grid_boxes(
    grid_sizes: Sequence[int], full_frame: bool = True
) -> torch.Tensor:
    """Fixed scoring boxes: the full frame and regular g x g grids.

    Args:
        grid_sizes: e.g. (2, 3) for a 2x2 and a 3x3 grid.
        full_frame (bool): include [0, 0, 1, 1].

    Returns:
        Tensor: (K, 4) normalised x1, y1, x2, y2.
    """
    boxes = [[0.0, 0.0, 1.0, 1.0]] if full_frame else []
    for g in grid_sizes:
        for i in range(g):
            for j in range(g):
                boxes.append([j / g, i / g, (j + 1) / g, (i + 1) / g])
    return torch.tensor(boxes, dtype=torch.float32)


#: Logged when a config sets the scorer's per-clip smoothing.
SMOOTH_DEPRECATION = (
    'PromptAnomalyScorer(smooth_kernel={k}) smooths each clip on its own '
    '(never across clip boundaries) and is deprecated: set '
    'smooth_kernel={k} on VADMetric (test_evaluator) instead, which smooths '
    'each video after its clips are merged (inference_vad reads it from the '
    'config); leave the scorer at 1 or both will smooth.'
)


def smooth_scores(scores: torch.Tensor, kernel: int) -> torch.Tensor:
    """Moving average over the last dim with edge padding (odd ``kernel``).

    Per clip only; the video-level smoothing is
    :func:`fgclip_mm.evaluation.functional.smooth_video_scores`.
    """
    if kernel < 1 or kernel % 2 == 0:
        raise ValueError(
            f'smooth kernel must be a positive odd number of '
            f'frames, got {kernel}'
        )
    if kernel == 1:
        return scores
    pad = kernel // 2
    x = F.pad(
        scores.reshape(-1, 1, scores.shape[-1]), (pad, pad), mode='replicate'
    )
    out = F.avg_pool1d(x, kernel, stride=1)
    return out.reshape(scores.shape)


@MODELS.register_module()
class PromptAnomalyScorer(nn.Module):
    """Scores frames by their softmax over a normal prompt and anomaly prompts.

    Per frame: ``global = 1 - p(normal)`` from the frame embedding;
    ``regional`` =
    max (or top-k mean) over the fixed boxes of the same quantity; final score
    ``alpha * global + (1 - alpha) * regional``. Smoothing over time belongs
    to ``VADMetric(smooth_kernel=...)``, after the clips of a video are
    merged.

    Args:
        class_prompts (dict): ``{class name: [sentences or templates]}``;
            the first key is the normal class. ``'{}'`` in a sentence is
            replaced by the class name. Defaults to ``DEFAULT_TEMPLATES`` for
            every class.
        classes (list[str], optional): class names, first = normal; used with
            ``templates`` when ``class_prompts`` is not given.
        templates (list[str]): templates for ``classes``.
        alpha (float): weight of the global score. Defaults to 0.5.
        grid_sizes (list[int]): grids of regional boxes. Defaults to (2, 3).
        full_frame_box (bool): include the full-frame box. Defaults to True.
        region_reduce (str): ``'max'`` or ``'topk'``. Defaults to ``'max'``.
        topk (int): k for ``'topk'``. Defaults to 3.
        smooth_kernel (int): deprecated: moving-average window over each
            clip's frames on its own (1 = none); values above 1 still
            smooth per clip, with a warning. Use ``VADMetric``'s
            ``smooth_kernel``. Defaults to 1.

    Attributes:
        boxes (Tensor): (K, 4) normalised scoring boxes (not saved in
            checkpoints); the model embeds them when :attr:`uses_regions`.
    """

    def __init__(
        self,
        class_prompts: Optional[Dict[str, List[str]]] = None,
        classes: Optional[Sequence[str]] = None,
        templates: Sequence[str] = DEFAULT_TEMPLATES,
        alpha: float = 0.5,
        grid_sizes: Sequence[int] = (2, 3),
        full_frame_box: bool = True,
        region_reduce: str = 'max',
        topk: int = 3,
        smooth_kernel: int = 1,
    ) -> None:
        super().__init__()
        if class_prompts is None:
            if not classes:
                raise ValueError('give class_prompts or classes')
            class_prompts = {c: list(templates) for c in classes}
        if len(class_prompts) < 2:
            raise ValueError(
                'need the normal class and at least one anomaly class'
            )
        if region_reduce not in ('max', 'topk'):
            raise ValueError(
                f"region_reduce must be 'max' or 'topk', got {region_reduce!r}"
            )
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f'alpha must be in [0, 1], got {alpha}')
        if smooth_kernel < 1 or smooth_kernel % 2 == 0:
            raise ValueError(
                'smooth_kernel must be a positive odd number of '
                f'frames, got {smooth_kernel}'
            )
        self.class_names = list(class_prompts)
        self.sentences = [
            [s.format(name) if '{}' in s else s for s in prompts]
            for name, prompts in class_prompts.items()
        ]
        self.alpha = alpha
        self.region_reduce = region_reduce
        self.topk = topk
        self.smooth_kernel = smooth_kernel
        if smooth_kernel > 1:
            message = SMOOTH_DEPRECATION.format(k=smooth_kernel)
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            print_log(message, logger='current', level=logging.WARNING)
        self.register_buffer(
            'boxes', grid_boxes(grid_sizes, full_frame_box), persistent=False
        )
        self._cache: Optional[torch.Tensor] = None

    @property
    def uses_regions(self) -> bool:
        """The score has a regional term (``alpha < 1``): the model must pass
        the embeddings of :attr:`boxes`."""
        return self.alpha < 1.0

    def prompt_embeddings(self, encode_text, cacheable: bool) -> torch.Tensor:
        """(C, D) normalised class embeddings: mean over a class's sentences.

        Args:
            encode_text: callable list[str] -> (M, D).
            cacheable (bool): the text encoder is frozen, so embeddings are
                computed once and reused.
        """
        if cacheable and self._cache is not None:
            return self._cache
        flat = [s for group in self.sentences for s in group]
        emb = F.normalize(encode_text(flat).float(), dim=-1)
        out, start = [], 0
        for group in self.sentences:
            out.append(
                F.normalize(emb[start : start + len(group)].mean(0), dim=-1)
            )
            start += len(group)
        classes = torch.stack(out)
        if cacheable:
            self._cache = classes.detach()
        return classes

    def clear_cache(self) -> None:
        """Forget the cached prompt embeddings."""
        self._cache = None

    def _load_from_state_dict(self, *args, **kwargs) -> None:
        # new text-tower weights invalidate the cached prompt embeddings
        self.clear_cache()
        super()._load_from_state_dict(*args, **kwargs)

    def _apply(self, fn, *args, **kwargs):
        # .to(device) / .half(): recompute the cache on the new device/dtype
        self.clear_cache()
        return super()._apply(fn, *args, **kwargs)

    def class_probs(
        self, emb: torch.Tensor, prompts: torch.Tensor, scale: torch.Tensor
    ) -> torch.Tensor:
        """Softmax over classes of (..., D) normalised embeddings: (..., C)."""
        return (scale * emb @ prompts.t()).softmax(dim=-1)

    def reduce_regions(self, region_scores: torch.Tensor) -> torch.Tensor:
        """(..., K) box scores -> (...) frame score."""
        if self.region_reduce == 'max':
            return region_scores.max(dim=-1).values
        k = min(self.topk, region_scores.shape[-1])
        return region_scores.topk(k, dim=-1).values.mean(dim=-1)

    def forward(
        self,
        frame_emb: torch.Tensor,
        region_emb: Optional[torch.Tensor],
        prompts: torch.Tensor,
        global_scale: torch.Tensor,
        region_scale: torch.Tensor,
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Frame anomaly scores.

        Args:
            frame_emb (Tensor): (B, T, D) normalised frame embeddings.
            region_emb (Tensor, optional): (B, T, K, D) normalised box
            embeddings
                (None when ``alpha == 1``).
            prompts (Tensor): (C, D) normalised class embeddings, row 0 normal.
            global_scale, region_scale (Tensor): softmax temperatures
            (scalars).

        Returns:
            tuple[Tensor, Tensor]: scores (B, T) in [0, 1] and class
            probabilities (B, T, C).
        """
        probs = self.class_probs(frame_emb, prompts, global_scale)  # (B, T, C)
        score = 1.0 - probs[..., 0]
        if region_emb is not None and self.uses_regions:
            region_probs = self.class_probs(region_emb, prompts, region_scale)
            region_score = self.reduce_regions(1.0 - region_probs[..., 0])
            score = self.alpha * score + (1 - self.alpha) * region_score
            best = (1.0 - region_probs[..., 0]).argmax(dim=-1)  # (B, T)
            best_probs = torch.gather(
                region_probs,
                2,
                best[..., None, None].expand(
                    -1, -1, 1, region_probs.shape[-1]
                ),
            )
            probs = self.alpha * probs + (1 - self.alpha) * best_probs[:, :, 0]
        score = smooth_scores(score, self.smooth_kernel)
        return score.clamp(0.0, 1.0), probs
