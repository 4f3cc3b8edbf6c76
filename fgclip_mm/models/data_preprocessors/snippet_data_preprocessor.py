"""Batches snippet features (T, C, D) of the feature-level VAD baselines."""

from typing import Dict, List, Optional, Sequence

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseDataPreprocessor


@MODELS.register_module()
class SnippetDataPreprocessor(BaseDataPreprocessor):
    """Stack per-video snippet features into a (B, T, C, D) float batch.

    Samples come from ``pseudo_collate`` as a list of tensors shaped (T, C, D)
    (or (T, D), read as one crop). Videos of different lengths (a test batch
    larger than one) are zero-padded to the longest and a ``snippet_mask``
    (T,) is written into every data sample that lacks one.

    Args:
        dtype (torch.dtype): dtype of the batch (features are often cached
            as float16). Defaults to ``torch.float32``.
        non_blocking (bool): see mmengine's ``BaseDataPreprocessor``.
    """

    def __init__(
        self, dtype: torch.dtype = torch.float32, non_blocking: bool = False
    ) -> None:
        super().__init__(non_blocking=non_blocking)
        self.dtype = dtype

    def forward(self, data: Dict, training: bool = False) -> Dict:
        """Cast to the device and stack.

        Args:
            data (dict): ``inputs`` (list of (T, C, D) tensors or a stacked
                (B, T, C, D) tensor) and ``data_samples``.
            training (bool): unused.

        Returns:
            dict: ``inputs`` (B, T, C, D) and ``data_samples``.
        """
        data = self.cast_data(data)
        inputs = data['inputs']
        samples = data.get('data_samples')
        if isinstance(inputs, torch.Tensor):
            if inputs.dim() == 3:
                inputs = inputs.unsqueeze(2)
            return dict(inputs=inputs.to(self.dtype), data_samples=samples)
        return dict(
            inputs=self.stack(list(inputs), samples), data_samples=samples
        )

    def stack(
        self, inputs: List[torch.Tensor], samples: Optional[Sequence] = None
    ) -> torch.Tensor:
        """Stack (T_i, C, D) tensors into (B, max T_i, C, D), zero padded."""
        inputs = [x.unsqueeze(1) if x.dim() == 2 else x for x in inputs]
        shapes = {tuple(x.shape[1:]) for x in inputs}
        if len(shapes) != 1:
            raise ValueError(
                f'snippet features of one batch differ in (crops, dim): '
                f'{sorted(shapes)}'
            )
        t_max = max(x.shape[0] for x in inputs)
        batch = inputs[0].new_zeros(len(inputs), t_max, *inputs[0].shape[1:])
        for i, x in enumerate(inputs):
            batch[i, : x.shape[0]] = x
            if x.shape[0] < t_max and samples is not None:
                self._set_mask(samples[i], x.shape[0], t_max)
        return batch.to(self.dtype)

    @staticmethod
    def _set_mask(sample, length: int, t_max: int) -> None:
        mask = torch.zeros(t_max, dtype=torch.bool)
        old = getattr(sample, 'snippet_mask', None)
        if old is not None:
            mask[: len(old)] = torch.as_tensor(old, dtype=torch.bool).cpu()
        else:
            mask[:length] = True
        sample.snippet_mask = mask


__all__ = ['SnippetDataPreprocessor']
