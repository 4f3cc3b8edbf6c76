"""RTFM (Tian et al., ICCV 2021): MTN head, magnitude loss, training."""

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
            head=dict(type='RTFMHead', in_channels=DIMS, hidden_dims=(32, 16)),
            loss=dict(type='RTFMLoss'),
        )
    )
    model.init_weights()
    return model


def test_head_averages_scores_and_magnitudes_over_crops():
    torch.manual_seed(0)
    head = MODELS.build(
        dict(type='RTFMHead', in_channels=16, hidden_dims=(8,))
    )
    head.init_weights()
    head.eval()
    x = torch.randn(2 * 3, 7, 16)  # 2 videos x 3 crops
    out = head(x, num_crops=3)
    assert out['scores'].shape == (2, 7)
    assert out['features'].shape == (2, 3, 7, 16)
    feats = head.mtn(x)
    torch.testing.assert_close(
        out['magnitudes'], feats.norm(dim=-1).reshape(2, 3, 7).mean(dim=1)
    )
    per_crop = torch.sigmoid(head.classifier(feats)).squeeze(-1)
    torch.testing.assert_close(
        out['scores'], per_crop.reshape(2, 3, 7).mean(dim=1)
    )


def test_mtn_is_residual_and_non_local_is_identity_at_init():
    torch.manual_seed(0)
    head = MODELS.build(dict(type='RTFMHead', in_channels=16))
    head.init_weights()
    head.eval()
    nl = head.mtn.non_local
    y = torch.randn(2, 4, 9)
    torch.testing.assert_close(nl(y), y)
    convs = [branch[0] for branch in head.mtn.pdc]
    assert [c.dilation[0] for c in convs] == [1, 2, 4]
    assert [c.out_channels for c in convs] == [4, 4, 4]


def test_head_rejects_dims_not_divisible_by_four():
    with pytest.raises(ValueError, match='not divisible by 4'):
        MODELS.build(dict(type='RTFMHead', in_channels=30))


def _norm(v):
    return math.sqrt(sum(x * x for x in v))


def _direct_rtfm(scores, mags, feats, labels, k, m, alpha, lsp, lsm, form):
    """Sec. 3.3-3.4 (public-code form) with plain loops."""
    sel = [sorted(range(len(row)), key=lambda t: -row[t])[:k] for row in mags]
    bce = 0.0
    for b, idx in enumerate(sel):
        s = sum(scores[b][t] for t in idx) / k
        y = 1.0 if labels[b] > 0 else 0.0
        bce -= y * math.log(s) + (1 - y) * math.log(1 - s)
    bce /= len(sel)
    crop_mag = {0: [], 1: []}
    for b, idx in enumerate(sel):
        for crop in feats[b]:
            dims = len(crop[0])
            mean = [sum(crop[t][d] for t in idx) / k for d in range(dims)]
            crop_mag[int(labels[b] > 0)].append(_norm(mean))
    terms = []
    for a in crop_mag[1]:
        for n in crop_mag[0]:
            terms.append(
                (abs(m - a) + n) ** 2
                if form == 'rtfm'
                else max(0.0, m - a + n)
            )
    mag_loss = alpha * sum(terms) / len(terms)
    a_scores = [
        s for b, row in enumerate(scores) if labels[b] > 0 for s in row
    ]
    sparse = lsp * _norm(a_scores)
    smooth = lsm * sum(
        (row[t] - row[t + 1]) ** 2
        for b, row in enumerate(scores)
        if labels[b] > 0
        for t in range(len(row) - 1)
    )
    return bce, mag_loss, sparse, smooth


@pytest.mark.parametrize('form', ['rtfm', 'paper'])
def test_loss_matches_the_formula(form):
    gen = torch.Generator().manual_seed(3)
    scores = torch.rand(4, 6, generator=gen) * 0.9 + 0.05
    mags = torch.rand(4, 6, generator=gen)
    feats = torch.randn(4, 2, 6, 3, generator=gen) * 5
    labels = torch.tensor([0, 3, 0, 1])
    loss = MODELS.build(
        dict(
            type='RTFMLoss',
            k=3,
            margin=12.0,
            alpha=0.01,
            lambda_sparse=0.5,
            lambda_smooth=0.3,
            form=form,
        )
    )
    loss.eval()  # no selection dropout
    out = loss(dict(scores=scores, magnitudes=mags, features=feats), labels)
    direct = _direct_rtfm(
        scores.tolist(),
        mags.tolist(),
        feats.tolist(),
        labels.tolist(),
        3,
        12.0,
        0.01,
        0.5,
        0.3,
        form,
    )
    got = [
        float(out[key])
        for key in ('loss_cls', 'loss_magnitude', 'loss_sparse', 'loss_smooth')
    ]
    assert got == pytest.approx(list(direct), rel=1e-5)
    assert direct[1] > 0


def test_selection_dropout_only_in_training():
    loss = MODELS.build(dict(type='RTFMLoss'))
    gen = torch.Generator().manual_seed(0)
    outputs = dict(
        scores=torch.rand(2, 8, generator=gen),
        magnitudes=torch.rand(2, 8, generator=gen),
        features=torch.randn(2, 1, 8, 4, generator=gen),
    )
    labels = torch.tensor([0, 1])
    loss.eval()
    a = loss(outputs, labels)['loss_cls']
    b = loss(outputs, labels)['loss_cls']
    assert float(a) == float(b)
    loss.train()
    torch.manual_seed(0)
    values = {float(loss(outputs, labels)['loss_cls']) for _ in range(10)}
    assert len(values) > 1


def test_rtfm_learns_the_synthetic_task_with_crops():
    train_task, test_task = split_tasks(dims=DIMS, crops=2)
    aucs = untrained_aucs(_model, test_task)
    assert abs(sum(aucs) / len(aucs) - 0.5) < 0.1, aucs
    model = _model()
    train(model, train_task, steps=120, lr=1e-2, batch_size=16)
    assert snippet_auc(model, test_task) >= 0.9
