import numpy as np
import pytest

from fgclip_mm.datasets.samplers import BalancedVADSampler


class Entries:
    """A dataset stand-in: ``labels[i]`` is entry i's class (0 = normal)."""

    def __init__(self, labels):
        self.labels = list(labels)

    def __len__(self):
        return len(self.labels)

    def get_data_info(self, i):
        return dict(label=self.labels[i])


def batches_of(sampler):
    inds = list(sampler)
    assert len(inds) == len(sampler)
    return [
        inds[i : i + sampler.batch_size]
        for i in range(0, len(inds), sampler.batch_size)
    ]


def test_every_batch_has_the_share_and_every_entry_is_seen():
    data = Entries([0] * 37 + [3] * 7)  # 1:5, as UCF-Crime after exclusion
    sampler = BalancedVADSampler(data, batch_size=8, anomaly_ratio=0.5, seed=0)
    batches = batches_of(sampler)
    for batch in batches:
        assert len(batch) == 8
        assert sum(data.labels[i] != 0 for i in batch) == 4
    seen = set(i for b in batches for i in b)
    assert seen == set(range(len(data)))
    # the larger group sets the length: 37 normal / 4 per batch
    assert len(batches) == 10
    normal_draws = [i for b in batches for i in b if data.labels[i] == 0]
    assert len(set(normal_draws[:37])) == 37  # no repeat before all seen


def test_epochs_differ_and_repeat_for_the_same_epoch():
    data = Entries([0] * 20 + [1] * 6)
    a = BalancedVADSampler(data, batch_size=4, seed=3)
    b = BalancedVADSampler(data, batch_size=4, seed=3)
    first = list(a)
    a.set_epoch(1)
    second = list(a)
    b.set_epoch(1)
    assert first != second
    assert list(b) == second  # a resumed run draws the same epoch


def test_ranks_get_disjoint_batches_that_cover_the_epoch(monkeypatch):
    data = Entries([0] * 30 + [2] * 10)
    import fgclip_mm.datasets.samplers.balanced_sampler as module

    per_rank = []
    for rank in range(2):
        monkeypatch.setattr(module, 'get_dist_info', lambda r=rank: (r, 2))
        sampler = BalancedVADSampler(data, batch_size=4, seed=5)
        per_rank.append(batches_of(sampler))
    assert len(per_rank[0]) == len(per_rank[1])
    all_batches = [b for pair in zip(*per_rank) for b in pair]
    assert {i for b in all_batches for i in b} == set(range(len(data)))
    assert all(sum(data.labels[i] != 0 for i in b) == 2 for b in all_batches)


@pytest.mark.parametrize(
    'ratio, message',
    [
        (0.0, r'anomaly_ratio must be in \(0, 1\)'),
        (0.05, 'leaves no anomalous or no normal slot'),
    ],
)
def test_bad_ratio_is_refused(ratio, message):
    with pytest.raises(ValueError, match=message):
        BalancedVADSampler(
            Entries([0, 1]), batch_size=8, anomaly_ratio=ratio, seed=0
        )


def test_a_dataset_without_anomalies_is_refused():
    with pytest.raises(ValueError, match='has 0 and 3'):
        BalancedVADSampler(Entries([0, 0, 0]), batch_size=2, seed=0)


def test_is_anomaly_field_wins_over_the_label():
    class Flagged(Entries):
        def get_data_info(self, i):
            return dict(label=1, is_anomaly=self.labels[i] != 0)

    sampler = BalancedVADSampler(Flagged([0, 0, 5, 0]), batch_size=2, seed=0)
    assert np.array_equal(sampler.anomalous, [2])
