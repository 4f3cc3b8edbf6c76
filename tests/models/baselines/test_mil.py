"""MIL ranking baseline (Sultani et al., CVPR 2018): head, loss, training."""

import torch
from mmaction.registry import MODELS

from ._synthetic import snippet_auc, split_tasks, train, untrained_aucs

DIMS = 64


def _model(seed=0):
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(
            type='SnippetVADRecognizer',
            head=dict(type='MILHead', in_channels=DIMS, hidden_dims=(32, 16)),
            loss=dict(type='MILRankingLoss'),
        )
    )
    model.init_weights()
    return model


def test_head_is_the_papers_three_layer_mlp():
    head = MODELS.build(dict(type='MILHead', in_channels=4096))
    linear = [m for m in head.mlp if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [
        (4096, 512),
        (512, 32),
        (32, 1),
    ]
    drops = [m.p for m in head.mlp if isinstance(m, torch.nn.Dropout)]
    assert drops == [0.6, 0.6]
    scores = head.eval()(torch.randn(3, 7, 4096))['scores']
    assert scores.shape == (3, 7) and scores.min() >= 0 and scores.max() <= 1


def _direct_mil(scores, labels, l1, l2):
    """Eq. (6)-(7) of the paper, averaged over (anomalous, normal) pairs."""
    a_bags = [s for s, y in zip(scores, labels) if y > 0]
    n_bags = [s for s, y in zip(scores, labels) if y == 0]
    total_rank, total_smooth, total_sparse, pairs = 0.0, 0.0, 0.0, 0
    for a in a_bags:
        smooth = sum((a[i] - a[i + 1]) ** 2 for i in range(len(a) - 1))
        sparse = sum(a)
        for n in n_bags:
            total_rank += max(0.0, 1 - max(a) + max(n))
            total_smooth += smooth
            total_sparse += sparse
            pairs += 1
    return (
        total_rank / pairs,
        l1 * total_smooth / pairs,
        l2 * total_sparse / pairs,
    )


def test_loss_matches_the_papers_formula():
    scores = [
        [0.1, 0.9, 0.8, 0.2],
        [0.3, 0.35, 0.3, 0.1],
        [0.2, 0.5, 0.1, 0.0],
        [0.7, 0.1, 0.2, 0.3],
        [0.05, 0.6, 0.4, 0.4],
    ]
    labels = [1, 2, 0, 0, 0]
    loss = MODELS.build(
        dict(type='MILRankingLoss', lambda_smooth=0.3, lambda_sparse=0.2)
    )
    out = loss(dict(scores=torch.tensor(scores)), torch.tensor(labels))
    rank, smooth, sparse = _direct_mil(scores, labels, 0.3, 0.2)
    assert abs(float(out['loss_rank']) - rank) < 1e-6
    assert abs(float(out['loss_smooth']) - smooth) < 1e-6
    assert abs(float(out['loss_sparse']) - sparse) < 1e-6
    assert rank > 0  # the example exercises the hinge


def test_loss_ignores_padded_snippets():
    loss = MODELS.build(dict(type='MILRankingLoss'))
    scores = torch.tensor([[0.2, 0.3, 0.99], [0.5, 0.1, 0.95]])
    mask = torch.tensor([[True, True, False], [True, True, False]])
    out = loss(dict(scores=scores), torch.tensor([1, 0]), mask)
    rank, smooth, sparse = _direct_mil(
        [[0.2, 0.3], [0.5, 0.1]], [1, 0], 8e-5, 8e-5
    )
    assert abs(float(out['loss_rank']) - rank) < 1e-6
    assert abs(float(out['loss_smooth']) - smooth) < 1e-9
    assert abs(float(out['loss_sparse']) - sparse) < 1e-9


def test_batch_without_normal_bags_has_zero_ranking_term():
    loss = MODELS.build(dict(type='MILRankingLoss'))
    scores = torch.rand(2, 5, requires_grad=True)
    out = loss(dict(scores=scores), torch.tensor([1, 1]))
    assert float(out['loss_rank'].detach()) == 0
    sum(out.values()).backward()  # still differentiable
    assert scores.grad is not None


def test_mil_learns_the_synthetic_task():
    train_task, test_task = split_tasks(dims=DIMS)
    aucs = untrained_aucs(_model, test_task)
    assert abs(sum(aucs) / len(aucs) - 0.5) < 0.1, aucs
    model = _model()
    train(model, train_task, steps=150, lr=1e-2, batch_size=32)
    assert snippet_auc(model, test_task) >= 0.9
