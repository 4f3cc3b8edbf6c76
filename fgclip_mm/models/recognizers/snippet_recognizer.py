"""Recognizer of the weakly supervised VAD baselines on snippet features."""

from typing import Dict, Optional, Tuple

import torch
from mmaction.registry import MODELS
from mmaction.utils import OptSampleList, SampleList
from mmengine.model import BaseModel


@MODELS.register_module()
class SnippetVADRecognizer(BaseModel):
    """Head + loss over pre-extracted snippet features (MIL, RTFM, ...).

    Inputs are (B, T, C, D): T snippets, C crops, D feature dims (the
    snippet-feature contract of ``SnippetFeatureDataset``). The crops are
    flattened into rows ``b * C + c`` of a (B*C, T, D) tensor and the head
    is called with ``num_crops=C``. A head returns a dict with at least
    ``scores``: (N, T) anomaly probabilities, where N is B*C (the head scores
    every crop: in training each crop is its own bag with the video's
    label, as in VadCLIP's per-crop lists) or B (the head reduces crops
    itself, as RTFM does with feature magnitudes). At test time the scores
    of the crops of a video are averaged (RTFM / VadCLIP convention).

    Args:
        head (dict): config of the head (``MILHead``, ``RTFMHead``, ...).
        loss (dict, optional): config of the loss; None for models that are
            not trainable (zero-shot CLIP), whose ``loss`` mode raises.
        data_preprocessor (dict, optional): defaults to
            ``SnippetDataPreprocessor``.
        average_crops (bool): average the features over crops before the
            head (train and test) instead of scoring crops separately.
            Defaults to False.
        default_snippet_length (int): frames per snippet when a data sample
            has no ``snippet_length``. Defaults to 16.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
        self,
        head: Dict,
        loss: Optional[Dict] = None,
        data_preprocessor: Optional[Dict] = None,
        average_crops: bool = False,
        default_snippet_length: int = 16,
        init_cfg: Optional[Dict] = None,
    ) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='SnippetDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        self.head = MODELS.build(head)
        self.loss_module = MODELS.build(loss) if loss is not None else None
        self.average_crops = average_crops
        self.default_snippet_length = default_snippet_length

    # ------------------------------------------------------------ helpers
    def _flatten(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, int]:
        """(B, T, C, D) or (B, T, D) -> ((B*C, T, D), C)."""
        if inputs.dim() == 3:
            inputs = inputs.unsqueeze(2)
        if inputs.dim() != 4:
            raise ValueError(
                'snippet inputs must be (B, T, C, D), got '
                f'{tuple(inputs.shape)}'
            )
        if self.average_crops:
            inputs = inputs.mean(dim=2, keepdim=True)
        b, t, c, d = inputs.shape
        return inputs.permute(0, 2, 1, 3).reshape(b * c, t, d), c

    @staticmethod
    def _mask(
        data_samples: OptSampleList,
        batch: int,
        length: int,
        device: torch.device,
    ) -> Optional[torch.Tensor]:
        """(B, T) snippet mask from the samples, None when all are real."""
        if not data_samples or all(
            getattr(ds, 'snippet_mask', None) is None for ds in data_samples
        ):
            return None
        mask = torch.ones(batch, length, dtype=torch.bool, device=device)
        for i, ds in enumerate(data_samples):
            m = getattr(ds, 'snippet_mask', None)
            if m is not None:
                m = torch.as_tensor(m, dtype=torch.bool, device=device)
                mask[i] = False
                mask[i, : m.shape[0]] = m[:length]
        return mask

    @staticmethod
    def _labels(
        data_samples: SampleList, device: torch.device
    ) -> torch.Tensor:
        """(B,) long video labels, 0 = normal."""
        return torch.stack(
            [
                torch.as_tensor(ds.gt_label, device=device).reshape(-1)[0]
                for ds in data_samples
            ]
        ).long()

    def _run_head(
        self, inputs: torch.Tensor, data_samples: OptSampleList
    ) -> Tuple[Dict, Optional[torch.Tensor], int, int]:
        b, t = inputs.shape[:2]
        mask = self._mask(data_samples, b, t, inputs.device)
        feats, crops = self._flatten(inputs)
        row_mask = (
            mask.repeat_interleave(crops, dim=0) if mask is not None else None
        )
        outputs = self.head(feats, mask=row_mask, num_crops=crops)
        rows = outputs['scores'].shape[0]
        if rows not in (b, b * crops):
            raise ValueError(
                f'{type(self.head).__name__} returned {rows} score rows for '
                f'{b} videos x {crops} crops'
            )
        return outputs, mask, b, rows // b

    # ------------------------------------------------------------- modes
    def forward(
        self,
        inputs: torch.Tensor,
        data_samples: OptSampleList = None,
        mode: str = 'tensor',
    ):
        """Dispatch to ``loss`` / ``predict`` / ``tensor``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.snippet_scores(inputs, data_samples)
        raise RuntimeError(
            f'Invalid mode "{mode}"; use loss, predict or tensor'
        )

    def snippet_scores(
        self, inputs: torch.Tensor, data_samples: OptSampleList = None
    ) -> torch.Tensor:
        """Per-snippet anomaly scores averaged over crops.

        Args:
            inputs (Tensor): (B, T, C, D) snippet features.

        Returns:
            Tensor: (B, T) scores in [0, 1].
        """
        outputs, _, b, per_video = self._run_head(inputs, data_samples)
        scores = outputs['scores']
        return scores.reshape(b, per_video, -1).mean(dim=1)

    def loss(
        self, inputs: torch.Tensor, data_samples: SampleList
    ) -> Dict[str, torch.Tensor]:
        """Losses of a batch of bags with video-level labels.

        Returns:
            dict[str, Tensor]: the loss module's terms.
        """
        if self.loss_module is None:
            raise RuntimeError(
                f'{type(self.head).__name__} is not trainable (this model has '
                'no loss): evaluate it with tools/test.py instead of training'
            )
        outputs, mask, _, per_video = self._run_head(inputs, data_samples)
        labels = self._labels(data_samples, inputs.device)
        labels = labels.repeat_interleave(per_video)
        if mask is not None:
            mask = mask.repeat_interleave(per_video, dim=0)
        return self.loss_module(outputs, labels, mask)

    @torch.no_grad()
    def predict(
        self, inputs: torch.Tensor, data_samples: SampleList
    ) -> SampleList:
        """Attach ``pred_snippet_scores`` (T,) and ``pred_frame_scores``
        (T * snippet_length,) to every data sample."""
        scores = self.snippet_scores(inputs, data_samples)
        for ds, s in zip(data_samples, scores):
            length = int(
                getattr(ds, 'snippet_length', None)
                or self.default_snippet_length
            )
            s = s.float()
            mask = getattr(ds, 'snippet_mask', None)
            if mask is not None:  # drop the padding of a padded batch
                s = s[: mask.shape[0]][
                    torch.as_tensor(mask, dtype=torch.bool, device=s.device)
                ]
            ds.pred_snippet_scores = s
            ds.pred_frame_scores = s.repeat_interleave(length)
        return data_samples
