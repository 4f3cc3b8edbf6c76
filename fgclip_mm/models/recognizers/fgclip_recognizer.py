"""FG-CLIP recognizer: dual-level contrastive training, prompt scoring."""

from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.utils import OptSampleList, SampleList
from mmengine.model import BaseModel

from ..utils import text_ids
from ..utils.regions import cached_region_pool, stack_regions

TensorDict = Dict[str, torch.Tensor]

# DualContrastiveLoss arguments that moved to ``logit_scales`` (LogitScales)
_MOVED_LOSS_KEYS = dict(
    init_logit_scale='init', max_logit_scale='max', learnable_scale='learnable'
)
# checkpoints saved before the model owned its scales
_OLD_SCALES_KEY = 'loss_module.log_scales'
_SCALE_KEYS = (
    'logit_scales.global_log_scale',
    'logit_scales.region_log_scale',
)


def _check_loss_cfg(loss: Dict) -> None:
    """Refuse logit-scale options in the loss config (they moved)."""
    moved = sorted(set(loss) & set(_MOVED_LOSS_KEYS))
    if moved:
        new = ', '.join(f'{_MOVED_LOSS_KEYS[k]}=...' for k in moved)
        raise ValueError(
            f'DualContrastiveLoss no longer takes {moved}: the model owns its '
            f'logit scales; set FGCLIPRecognizer(logit_scales=dict('
            f"type='LogitScales', {new})) instead."
        )


def remap_old_scale_keys(state_dict: Dict, prefix: str = '') -> None:
    """Rename the old ``loss_module.log_scales`` (2,) entry in place.

    Before the model owned its temperatures, the loss held them as one
    (2,) tensor ``[global, region]``; it becomes
    ``logit_scales.global_log_scale`` and ``logit_scales.region_log_scale``.

    Args:
        state_dict (dict): a (partial) state dict, modified in place.
        prefix (str): the recognizer's prefix in ``state_dict``.
    """
    old = state_dict.pop(prefix + _OLD_SCALES_KEY, None)
    if old is None:
        return
    for index, key in enumerate(_SCALE_KEYS):
        state_dict.setdefault(prefix + key, old[index].clone())


@MODELS.register_module()
class FGCLIPRecognizer(BaseModel):
    """FG-CLIP for video anomaly detection.

    One backbone pass per frame gives global and dense embeddings; the global
    branch (temporal adapter, pooling) is contrasted with the video caption,
    the regional branch (RoIAlign on the dense map, region adapter) with the
    region captions. At test time frames are scored against class prompts. The
    model owns the logit scales of both levels (``logit_scales``) and passes
    them to the loss and to the scorer; checkpoints from before (one
    ``loss_module.log_scales`` tensor) still load, see
    :func:`remap_old_scale_keys`.

    Args:
        backbone (dict): config of :class:`OpenCLIPBackbone`.
        temporal_adapter (dict): config of :class:`TemporalAdapter`
            (``embed_dims`` filled from the backbone when absent).
        region_head (dict): config of :class:`RoIRegionHead`.
        loss (dict): config of :class:`DualContrastiveLoss`.
        logit_scales (dict, optional): config of :class:`LogitScales`, the
            learnable temperatures of both levels, used by the loss and by
            the scorer. Defaults to ``dict(type='LogitScales')``.
        scorer (dict): config of :class:`PromptAnomalyScorer` (test time).
        data_preprocessor (dict): e.g. ``ActionDataPreprocessor`` with
            CLIP's mean and std and ``format_shape='NCHW'``.
        use_short_caption (bool): contrast with ``short_caption`` instead of
            ``global_caption`` where a sample has one. Defaults to False.
        frame_chunk (int): frames per backbone call (bounds memory on long
            inputs). Defaults to 64.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
        self,
        backbone: Dict,
        temporal_adapter: Optional[Dict] = None,
        region_head: Optional[Dict] = None,
        loss: Dict = dict(type='DualContrastiveLoss'),
        scorer: Optional[Dict] = None,
        logit_scales: Optional[Dict] = None,
        data_preprocessor: Optional[Dict] = None,
        use_short_caption: bool = False,
        frame_chunk: int = 64,
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        self.backbone = MODELS.build(backbone)
        dims = self.backbone.embed_dim
        temporal_adapter = dict(
            temporal_adapter or dict(type='TemporalAdapter')
        )
        temporal_adapter.setdefault('embed_dims', dims)
        self.temporal_adapter = MODELS.build(temporal_adapter)
        region_head = dict(region_head or dict(type='RoIRegionHead'))
        region_head.setdefault('embed_dims', dims)
        self.region_head = MODELS.build(region_head)
        _check_loss_cfg(loss)
        self.loss_module = MODELS.build(loss)
        self.logit_scales = MODELS.build(
            logit_scales or dict(type='LogitScales')
        )
        self.scorer = MODELS.build(scorer) if scorer is not None else None
        self.use_short_caption = use_short_caption
        self.frame_chunk = frame_chunk
        self._text_cache: Dict[str, torch.Tensor] = {}

    # ----------------------------------------------------------- encoders
    def extract_feat(
        self, inputs: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Backbone features of a batch of clips.

        Args:
            inputs (Tensor): (B, T, 3, H, W) or (B, 3, H, W) normalised frames.

        Returns:
            tuple[Tensor, Tensor]: global (B, T, D) and dense (B, T, D, h, w)
            embeddings, not normalised.
        """
        if inputs.dim() == 4:
            inputs = inputs[:, None]
        b, t = inputs.shape[:2]
        frames = inputs.flatten(0, 1)
        outs = [
            self.backbone(frames[i : i + self.frame_chunk])
            for i in range(0, frames.shape[0], self.frame_chunk)
        ]
        glob = torch.cat([o[0] for o in outs]).float()
        dense = torch.cat([o[1] for o in outs]).float()
        return glob.reshape(b, t, -1), dense.reshape(b, t, *dense.shape[1:])

    def cached_feat(
        self, data_samples: OptSampleList
    ) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
        """Cached features of a batch, in place of :meth:`extract_feat`.

        Samples packed by ``PackFGCLIPCachedInputs`` (feature cache, see
        ``configs/fgclip_demo_cached.py``) carry ``frame_feats`` (T, D) and
        ``region_feats`` (T, N, D).

        Returns:
            tuple[Tensor, Tensor] | None: global (B, T, D) and region
            (B, T, N, D) features (N padded with zeros to the batch's
            largest), or None when the samples carry none.
        """
        if not data_samples or 'frame_feats' not in data_samples[0]:
            return None
        if not self.backbone.frozen:
            raise ValueError(
                'cached features need a frozen image tower: set '
                'model.backbone.frozen=True (a trained tower changes them)'
            )
        device = self.backbone.device
        glob = torch.stack([ds.frame_feats for ds in data_samples])
        n = max(int(ds.region_feats.shape[1]) for ds in data_samples)
        region = glob.new_zeros(*glob.shape[:2], n, glob.shape[-1])
        for i, ds in enumerate(data_samples):
            region[i, :, : ds.region_feats.shape[1]] = ds.region_feats
        return glob.float().to(device), region.float().to(device)

    def encode_video(
        self, frame_emb: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Temporal adapter and pooling.

        Args:
            frame_emb (Tensor): (B, T, D) CLIP frame embeddings.

        Returns:
            tuple[Tensor, Tensor]: adapted frames (B, T, D) (from normalised
            inputs) and the pooled video embedding (B, D), not normalised. At
            init the latter is the mean of the normalised frame embeddings.
        """
        frames = self.temporal_adapter(F.normalize(frame_emb, dim=-1))
        return frames, self.temporal_adapter.pool(frames)

    @property
    def text_frozen(self) -> bool:
        """Text embeddings are fixed (frozen tower, no prompt learning)."""
        return self.backbone.text_is_fixed

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor:
        """Normalised text embeddings (M, D); cached per string when frozen."""
        if not self.text_frozen:
            return F.normalize(
                self.backbone.encode_text(texts).float(), dim=-1
            )
        missing = sorted({t for t in texts if t not in self._text_cache})
        if missing:
            emb = F.normalize(
                self.backbone.encode_text(missing).float(), dim=-1
            )
            for text, e in zip(missing, emb):
                self._text_cache[text] = e.detach()
        return torch.stack([self._text_cache[t] for t in texts]).to(
            self.backbone.device
        )

    def _load_from_state_dict(
        self, state_dict: Dict, prefix: str, *args, **kwargs
    ) -> None:
        self._text_cache = {}
        remap_old_scale_keys(state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def train(self, mode: bool = True) -> 'FGCLIPRecognizer':
        if mode and self.scorer is not None and not self.text_frozen:
            self.scorer.clear_cache()  # training changes the text side
        return super().train(mode)

    def video_captions(self, data_samples: SampleList) -> List[str]:
        caps = []
        for ds in data_samples:
            short = getattr(ds, 'short_caption', None)
            caps.append(
                short
                if self.use_short_caption and short
                else ds.global_caption
            )
        return caps

    # ------------------------------------------------------------- modes
    def region_batch(
        self, dense: torch.Tensor, data_samples: SampleList
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Normalised region embeddings and their caption embeddings and ids.

        Args:
            dense (Tensor): (B, T, D, h, w) dense embeddings, or the cached
                (B, T, N, D) RoIAlign features of the samples' boxes.
            data_samples (list): samples with ``boxes``, ``bbox_mask`` and
                ``region_captions``.

        Returns:
            tuple[Tensor, Tensor, Tensor]: regions (R, D), captions (R, D)
            and caption ids (R,) of the R regions with a valid frame.
        """
        boxes, mask, region_caps = stack_regions(
            data_samples, dense.shape[1], dense.device
        )
        if dense.dim() == 4:  # cached RoIAlign features (B, T, N, D)
            # the adapter per valid frame, then the mean, as the head does
            adapted = dense.clone()
            adapted[mask] = self.region_head.adapt(dense[mask])
            region, index = cached_region_pool(adapted, mask)
        else:
            region, index = self.region_head(dense, boxes, mask)
        region = F.normalize(region, dim=-1)
        texts = [region_caps[i][n] for i, n in index.tolist()]
        empty = [i for i, t in enumerate(texts) if not t]
        if empty:
            raise ValueError(
                'a valid region slot has an empty caption '
                f'(sample {index[empty[0]].tolist()})'
            )
        region_text = (
            self.encode_text(texts)
            if texts
            else region.new_zeros(0, region.shape[1])
        )
        return region, region_text, text_ids(texts, device=region.device)

    def loss(
        self, inputs: torch.Tensor, data_samples: SampleList
    ) -> TensorDict:
        """Dual contrastive loss of a batch (see :class:`DualContrastiveLoss`);
        from the samples' cached features when they carry them
        (:meth:`cached_feat`), else from the frames.
        """
        cached = self.cached_feat(data_samples)
        glob, dense = (
            cached if cached is not None else self.extract_feat(inputs)
        )
        _, video = self.encode_video(glob)
        video = F.normalize(video, dim=-1)
        captions = self.video_captions(data_samples)
        video_text = self.encode_text(captions)
        region = region_text = region_ids = None
        if self.loss_module.region_weight > 0:
            region, region_text, region_ids = self.region_batch(
                dense, data_samples
            )
        video_ids = text_ids(captions, device=video.device)
        global_scale, region_scale = self.logit_scales()
        return self.loss_module(
            video,
            video_text,
            video_ids,
            global_scale,
            region,
            region_text,
            region_ids,
            region_scale,
        )

    def score_frames(
        self, inputs: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Anomaly scores (B, T) and class probabilities (B, T, C) of clips."""
        if self.scorer is None:
            raise RuntimeError(
                'predict needs a `scorer` (PromptAnomalyScorer) '
                'in the model config'
            )
        glob, dense = self.extract_feat(inputs)
        frames, _ = self.encode_video(glob)
        frames = F.normalize(frames, dim=-1)
        region_emb = None
        if self.scorer.uses_regions:
            region_emb = F.normalize(
                self.region_head.box_embeddings(dense, self.scorer.boxes),
                dim=-1,
            )  # (B, T, K, D)
        # In eval mode nothing updates the text side, so even a trainable text
        # tower's prompt embeddings can be reused until train() is called.
        prompts = self.scorer.prompt_embeddings(
            self.backbone.encode_text,
            cacheable=self.text_frozen or not self.training,
        ).to(frames.device)
        # the (global, region) temperatures, fixed at test time
        scales = [s.detach() for s in self.logit_scales()]
        return self.scorer(frames, region_emb, prompts, *scales)

    def predict(
        self, inputs: torch.Tensor, data_samples: SampleList
    ) -> SampleList:
        """Adds ``pred_frame_scores`` (T,) and ``pred_class_probs`` (T, C)."""
        if data_samples and 'frame_feats' in data_samples[0]:
            raise NotImplementedError(
                'predict scores frames: test on the videos (the feature '
                'cache holds no prompt-box features)'
            )
        scores, probs = self.score_frames(inputs)
        for ds, s, p in zip(data_samples, scores, probs):
            ds.pred_frame_scores = s.detach()
            ds.pred_class_probs = p.detach()
        return data_samples

    def forward(
        self,
        inputs: torch.Tensor,
        data_samples: OptSampleList = None,
        mode: str = 'tensor',
    ) -> Union[TensorDict, SampleList, torch.Tensor]:
        """Dispatch to ``loss`` / ``predict`` / ``tensor`` (scores (B, T))."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.score_frames(inputs)[0]
        raise RuntimeError(
            f'Invalid mode "{mode}": use loss, predict or tensor'
        )
