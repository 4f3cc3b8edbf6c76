"""AR-Net (Wan et al., ICME 2020): k-max MIL + centre loss, training."""

import math

import pytest
import torch
from mmaction.registry import MODELS

from ._synthetic import snippet_auc, split_tasks, train, untrained_aucs

DIMS = 64


def _model(seed=0):
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(
            type='SnippetVADRecognizer',
            head=dict(type='ARNetHead', in_channels=DIMS, hidden_dim=32),
            loss=dict(type='ARNetLoss'),
        )
    )
    model.init_weights()
    return model


def _direct_arnet(scores, lengths, labels, k_div, lam):
    """Paper Sec. 2.2 with plain loops: k-max BCE and centre loss."""
    bce, count, centers = 0.0, 0, []
    for row, n, label in zip(scores, lengths, labels):
        real = row[:n]
        k = n // k_div + 1
        y = 1.0 if label > 0 else 0.0
        for s in sorted(real, reverse=True)[:k]:
            bce -= y * math.log(s) + (1 - y) * math.log(1 - s)
            count += 1
        if label == 0:
            c = sum(real) / n
            centers.append(sum((s - c) ** 2 for s in real) / n)
    return bce / count, lam * sum(centers) / len(centers)


def test_loss_matches_the_papers_formula():
    gen = torch.Generator().manual_seed(5)
    scores = torch.rand(4, 17, generator=gen) * 0.9 + 0.05
    lengths = [17, 9, 16, 8]  # k = 3, 2, 3, 2
    labels = [1, 0, 0, 4]
    mask = torch.arange(17)[None] < torch.tensor(lengths)[:, None]
    loss = MODELS.build(dict(type='ARNetLoss'))
    out = loss(dict(scores=scores), torch.tensor(labels), mask)
    kmax, center = _direct_arnet(scores.tolist(), lengths, labels, 8, 20.0)
    assert float(out['loss_kmax']) == pytest.approx(kmax, rel=1e-5)
    assert float(out['loss_center']) == pytest.approx(center, rel=1e-5)


def test_center_loss_is_zero_without_normal_videos():
    loss = MODELS.build(dict(type='ARNetLoss'))
    out = loss(dict(scores=torch.rand(2, 8)), torch.tensor([1, 2]))
    assert float(out['loss_center']) == 0


def test_arnet_learns_the_synthetic_task():
    train_task, test_task = split_tasks(dims=DIMS)
    aucs = untrained_aucs(_model, test_task)
    assert abs(sum(aucs) / len(aucs) - 0.5) < 0.1, aucs
    model = _model()
    train(model, train_task, steps=120, lr=1e-2, batch_size=16)
    assert snippet_auc(model, test_task) >= 0.9
