"""A sampler whose batches hold a fixed share of anomalous videos."""

import math
from typing import Iterator, List, Optional, Sized

import numpy as np
from mmaction.registry import DATA_SAMPLERS
from mmengine.dist import get_dist_info, sync_random_seed

__all__ = ['BalancedVADSampler', 'is_anomalous_entry']


def is_anomalous_entry(info: dict) -> bool:
    """Whether a dataset entry is an anomalous video (``is_anomaly`` when
    the entry has it, else ``label != 0``)."""
    if 'is_anomaly' in info:
        return bool(info['is_anomaly'])
    return int(info.get('label', 0)) != 0


def _cycle(
    indices: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` indices: shuffled passes over ``indices`` (each pass a new
    order), so every index appears before any repeats."""
    passes = [
        rng.permutation(indices)
        for _ in range(math.ceil(count / len(indices)))
    ]
    return np.concatenate(passes)[:count]


@DATA_SAMPLERS.register_module()
class BalancedVADSampler:
    """Batches with ``round(anomaly_ratio * batch_size)`` anomalous entries.

    Weakly supervised VAD methods (Sultani et al.'s MIL, RTFM) and the
    original FG-CLIP VAD project train on batches that are half anomalous,
    half normal; with a plain shuffle, UCF-Crime's 1:5 split leaves many
    batches without an anomaly. Each epoch is as long as it takes to show
    every entry of the larger group once (the smaller group is cycled, each
    pass in a new order); the order is a function of ``(seed, epoch)``
    only, so a resumed run draws the same batches. Under DDP the batches are
    dealt to ranks in turn: every rank gets whole batches of the same
    composition (its ``batch_size`` is the per-rank one) and together the
    ranks see every entry.

    Args:
        dataset (Sized): The dataset; each entry's ``is_anomaly`` (or
            ``label``) from ``get_data_info`` decides its group.
        batch_size (int): The dataloader's (per-rank) batch size.
        anomaly_ratio (float): Share of anomalous entries per batch, in
            (0, 1). Defaults to 0.5.
        seed (int, optional): Base seed (the runner passes its own).
            Defaults to a seed shared by all ranks.
    """

    def __init__(
        self,
        dataset: Sized,
        batch_size: int,
        anomaly_ratio: float = 0.5,
        seed: Optional[int] = None,
    ) -> None:
        if not 0 < anomaly_ratio < 1:
            raise ValueError(
                f'anomaly_ratio must be in (0, 1), got {anomaly_ratio}'
            )
        self.num_anomalous = int(round(anomaly_ratio * batch_size))
        if not 0 < self.num_anomalous < batch_size:
            raise ValueError(
                f'anomaly_ratio={anomaly_ratio} of batch_size={batch_size} '
                'leaves no anomalous or no normal slot in a batch'
            )
        self.dataset = dataset
        self.batch_size = batch_size
        self.rank, self.world_size = get_dist_info()
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        flags = np.array(
            [
                is_anomalous_entry(dataset.get_data_info(i))
                for i in range(len(dataset))
            ]
        )
        self.anomalous = np.flatnonzero(flags)
        self.normal = np.flatnonzero(~flags)
        if not len(self.anomalous) or not len(self.normal):
            raise ValueError(
                f'BalancedVADSampler needs anomalous and normal entries; the '
                f'dataset has {len(self.anomalous)} and {len(self.normal)}'
            )
        num_normal = batch_size - self.num_anomalous
        batches = max(
            math.ceil(len(self.anomalous) / self.num_anomalous),
            math.ceil(len(self.normal) / num_normal),
        )
        # every rank gets the same number of whole batches
        self.batches_per_rank = math.ceil(batches / self.world_size)

    def _batches(self) -> List[np.ndarray]:
        """All ranks' batches of this epoch, in order."""
        rng = np.random.default_rng([self.seed, self.epoch])
        total = self.batches_per_rank * self.world_size
        anomalous = _cycle(self.anomalous, total * self.num_anomalous, rng)
        normal = _cycle(
            self.normal, total * (self.batch_size - self.num_anomalous), rng
        )
        anomalous = anomalous.reshape(total, -1)
        normal = normal.reshape(total, -1)
        return [
            rng.permutation(np.concatenate([a, n]))
            for a, n in zip(anomalous, normal)
        ]

    def __iter__(self) -> Iterator[int]:
        batches = self._batches()[self.rank :: self.world_size]
        return iter(np.concatenate(batches).tolist())

    def __len__(self) -> int:
        return self.batches_per_rank * self.batch_size

    def set_epoch(self, epoch: int) -> None:
        """Called by the training loop before each epoch."""
        self.epoch = epoch
