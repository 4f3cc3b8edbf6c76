"""VadCLIP-style model (Wu et al., AAAI 2024): adapter, head, losses."""

import math

import pytest
import torch
from mmaction.registry import MODELS

from fgclip_mm.models.backbones import tiny_clip_arch
from fgclip_mm.models.heads.lgt_adapter import (
    distance_adjacency,
    similarity_adjacency,
)

from ._synthetic import snippet_auc, split_tasks, train, untrained_aucs

DIMS = 64
TEXT = dict(
    type='OpenCLIPBackbone',
    arch=tiny_clip_arch(
        embed_dim=DIMS,
        image_size=16,
        patch_size=8,
        width=32,
        layers=1,
        heads=2,
        context_length=16,
    ),
)
CLASSES = ['normal', 'fighting', 'explosion']


def _head_cfg(**kwargs):
    return dict(
        dict(
            type='VadCLIPHead',
            in_channels=DIMS,
            classes=CLASSES,
            text_encoder=TEXT,
            prompt_context=4,
            adapter=dict(num_heads=2, num_layers=1, max_len=64),
        ),
        **kwargs,
    )


def _model(seed=0):
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(
            type='SnippetVADRecognizer',
            head=_head_cfg(),
            loss=dict(type='VadCLIPLoss'),
        )
    )
    model.init_weights()
    return model


def _bce(p, y):
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def _direct_vadclip(
    logits, class_logits, text, lengths, labels, k_div, lam_nce, lam_cts
):
    """Sec. 3.4 with plain loops."""
    bce, nce = 0.0, 0.0
    for row, cls_row, n, label in zip(logits, class_logits, lengths, labels):
        k = n // k_div + 1
        conf = sorted((1 / (1 + math.exp(-v)) for v in row[:n]), reverse=True)
        bce += _bce(sum(conf[:k]) / k, 1.0 if label > 0 else 0.0)
        video = []
        for c in range(len(cls_row[0])):
            col = sorted((cls_row[t][c] for t in range(n)), reverse=True)
            video.append(sum(col[:k]) / k)
        log_z = math.log(sum(math.exp(v) for v in video))
        nce -= video[label] - log_z
    norm = [math.sqrt(sum(x * x for x in t)) for t in text]
    cos = [
        sum(a * b for a, b in zip(text[0], t)) / (norm[0] * nt)
        for t, nt in zip(text[1:], norm[1:])
    ]
    cts = sum(abs(c) for c in cos) / len(cos)
    n_videos = len(labels)
    return bce / n_videos, lam_nce * nce / n_videos, lam_cts * cts


def test_loss_matches_the_papers_formula():
    gen = torch.Generator().manual_seed(7)
    logits = torch.randn(3, 40, generator=gen) * 2
    class_logits = torch.randn(3, 40, 3, generator=gen) * 3
    text = torch.randn(3, 5, generator=gen)
    lengths, labels = [40, 31, 12], [2, 0, 1]  # k = 3, 2, 1
    mask = torch.arange(40)[None] < torch.tensor(lengths)[:, None]
    loss = MODELS.build(
        dict(type='VadCLIPLoss', lambda_nce=0.7, lambda_cts=0.2)
    )
    out = loss(
        dict(logits=logits, class_logits=class_logits, text_embeddings=text),
        torch.tensor(labels),
        mask,
    )
    direct = _direct_vadclip(
        logits.tolist(),
        class_logits.tolist(),
        text.tolist(),
        lengths,
        labels,
        16,
        0.7,
        0.2,
    )
    got = [float(out[k]) for k in ('loss_bce', 'loss_nce', 'loss_cts')]
    assert got == pytest.approx(list(direct), rel=1e-5)


def test_loss_rejects_labels_beyond_the_classes():
    loss = MODELS.build(dict(type='VadCLIPLoss'))
    with pytest.raises(ValueError, match='label 3 but the head has 3'):
        loss(
            dict(
                logits=torch.zeros(1, 4),
                class_logits=torch.zeros(1, 4, 3),
                text_embeddings=torch.randn(3, 2),
            ),
            torch.tensor([3]),
        )


def test_adjacencies_follow_the_papers_definitions():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1, 5, 4, generator=gen)
    x[0, 1] = x[0, 0] * 2 + 0.01  # a pair above the 0.7 threshold
    mask = torch.tensor([[True, True, True, True, False]])
    adj = similarity_adjacency(x, mask, 0.7)[0]
    v = x[0].tolist()
    for i in range(4):
        sims = []
        for j in range(4):
            c = sum(a * b for a, b in zip(v[i], v[j])) / math.sqrt(
                sum(a * a for a in v[i]) * sum(b * b for b in v[j])
            )
            sims.append(c if c > 0.7 else 0.0)
        z = sum(math.exp(s) for s in sims)
        for j in range(4):
            assert float(adj[i, j]) == pytest.approx(
                math.exp(sims[j]) / z, rel=1e-5
            )
    assert adj[4].abs().sum() == 0 and adj[:, 4].abs().sum() == 0
    dis = distance_adjacency(mask)[0]
    assert float(dis[0, 3]) == pytest.approx(math.exp(-3 / math.e))
    assert float(dis[2, 2]) == 1 and float(dis[1, 4]) == 0


def test_local_transformer_sees_only_its_window():
    torch.manual_seed(0)
    adapter = MODELS.build(
        dict(
            type='LGTAdapter',
            embed_dims=8,
            window=4,
            num_heads=2,
            num_layers=1,
            max_len=16,
        )
    )
    x = torch.randn(1, 12, 8)
    mask = torch.ones(1, 12, dtype=torch.bool)
    attn = adapter.attention_mask(mask)
    y1 = adapter.local(x, mask=attn)
    x2 = x.clone()
    x2[0, 9] += 5  # third window
    y2 = adapter.local(x2, mask=attn)
    torch.testing.assert_close(y1[0, :8], y2[0, :8])
    assert not torch.allclose(y1[0, 8:], y2[0, 8:])
    assert adapter(x, mask).shape == (1, 12, 8)


def test_head_trains_the_context_but_not_the_text_tower():
    torch.manual_seed(0)
    head = MODELS.build(_head_cfg())
    out = head(torch.randn(2, 10, DIMS))
    assert out['class_logits'].shape == (2, 10, 3)
    assert out['text_embeddings'].shape == (3, DIMS)
    out['class_logits'].sum().backward()
    assert head.context.grad is not None and head.context.grad.abs().sum() > 0
    assert not any(p.requires_grad for p in head.text_encoder.parameters())


def test_align_test_score_is_one_minus_normal_probability():
    torch.manual_seed(0)
    head = MODELS.build(_head_cfg(test_score='align')).eval()
    out = head(torch.randn(1, 6, DIMS))
    expected = 1 - out['class_logits'].softmax(dim=-1)[..., 0]
    torch.testing.assert_close(out['scores'], expected)
    binary = MODELS.build(_head_cfg()).eval()
    out = binary(torch.randn(1, 6, DIMS))
    torch.testing.assert_close(out['scores'], torch.sigmoid(out['logits']))


def test_head_rejects_a_text_tower_of_another_dim():
    with pytest.raises(ValueError, match='must have the same dim'):
        MODELS.build(_head_cfg(in_channels=DIMS * 2))


def test_vadclip_learns_the_synthetic_task():
    train_task, test_task = split_tasks(dims=DIMS, num_classes=2)
    aucs = untrained_aucs(_model, test_task)
    assert abs(sum(aucs) / len(aucs) - 0.5) < 0.1, aucs
    model = _model()
    train(model, train_task, steps=50, lr=3e-3, batch_size=16)
    assert snippet_auc(model, test_task) >= 0.9
