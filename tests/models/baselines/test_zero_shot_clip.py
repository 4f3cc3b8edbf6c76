"""Zero-shot CLIP scoring: oracle on hand-made embeddings, text tower path."""

import math

import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from sklearn.metrics import roc_auc_score

from fgclip_mm.models.backbones import tiny_clip_arch

TEXT = dict(
    type='OpenCLIPBackbone',
    arch=tiny_clip_arch(
        embed_dim=16,
        image_size=16,
        patch_size=8,
        width=16,
        layers=1,
        heads=2,
        context_length=16,
    ),
)


def _oracle(feat, class_embs, scale):
    """1 - softmax(scale * cos)[normal], written out."""
    nf = math.sqrt(sum(v * v for v in feat))
    logits = []
    for e in class_embs:
        ne = math.sqrt(sum(v * v for v in e))
        logits.append(scale * sum(a * b for a, b in zip(feat, e)) / (nf * ne))
    z = sum(math.exp(v) for v in logits)
    return 1 - math.exp(logits[0]) / z


def test_scores_equal_the_oracle_and_separate_the_classes():
    dims = 8
    class_embs = torch.eye(dims)[:3] * torch.tensor([[2.0], [1.0], [3.0]])
    gen = torch.Generator().manual_seed(0)
    feats = torch.randn(2, 20, 1, dims, generator=gen) * 0.3
    labels = torch.zeros(2, 20, dtype=torch.long)
    feats[:, :, 0, 0] += 1.0  # normal direction
    feats[1, 5:11, 0, 0] -= 1.0
    feats[1, 5:11, 0, 2] += 1.0  # class 2 (anomaly) direction
    labels[1, 5:11] = 1
    model = MODELS.build(
        dict(
            type='SnippetVADRecognizer',
            head=dict(
                type='ZeroShotCLIPHead',
                classes=['normal', 'a', 'b'],
                class_embeddings=class_embs,
                logit_scale=10.0,
            ),
        )
    )
    scores = model(feats, mode='tensor')
    for b in range(2):
        for t in range(20):
            expected = _oracle(
                feats[b, t, 0].tolist(), class_embs.tolist(), 10.0
            )
            assert float(scores[b, t]) == pytest.approx(expected, abs=1e-5)
    assert roc_auc_score(labels.flatten(), scores.flatten()) >= 0.9


def test_text_tower_prompts_are_ensembled_once():
    torch.manual_seed(0)
    head = MODELS.build(
        dict(
            type='ZeroShotCLIPHead',
            classes=['normal', 'fire'],
            text_encoder=TEXT,
            templates=['a video of {}.', 'a photo of {}.'],
        )
    )
    clip = head.text_encoder
    sentences = [
        'a video of normal.',
        'a photo of normal.',
        'a video of fire.',
        'a photo of fire.',
    ]
    with torch.no_grad():
        emb = F.normalize(
            clip.clip.encode_text(clip.tokenize(sentences)), dim=-1
        ).reshape(2, 2, -1)
    expected = F.normalize(emb.mean(dim=1), dim=-1)
    torch.testing.assert_close(head.prompt_embeddings(), expected)
    assert head.prompt_embeddings() is head.prompt_embeddings()
    assert head.logit_scale == pytest.approx(
        float(clip.clip.logit_scale.exp())
    )
    feats = torch.randn(1, 4, 16)
    out = head(feats)
    scale = head.logit_scale
    manual = (scale * F.normalize(feats, dim=-1) @ expected.T).softmax(-1)
    torch.testing.assert_close(out['scores'], 1 - manual[..., 0])


def test_zero_shot_model_is_not_trainable():
    model = MODELS.build(
        dict(
            type='SnippetVADRecognizer',
            head=dict(
                type='ZeroShotCLIPHead',
                classes=['normal', 'fire'],
                text_encoder=TEXT,
            ),
        )
    )
    assert not any(p.requires_grad for p in model.parameters())
    sample = ActionDataSample().set_gt_label(1)
    with pytest.raises(RuntimeError, match='not trainable'):
        model(torch.randn(1, 4, 1, 16), [sample], mode='loss')


def test_head_needs_embeddings_or_a_text_tower():
    with pytest.raises(ValueError, match='text_encoder or class_embeddings'):
        MODELS.build(dict(type='ZeroShotCLIPHead', classes=['normal', 'x']))
    with pytest.raises(ValueError, match='2 class embeddings for 3 classes'):
        MODELS.build(
            dict(
                type='ZeroShotCLIPHead',
                classes=['normal', 'x', 'y'],
                class_embeddings=torch.eye(2),
            )
        )


def test_class_prompts_replace_the_templates():
    prompts = {
        'normal': ['people walk.', 'a calm street.'],
        'fire': ['flames rise.'],
    }
    head = MODELS.build(
        dict(
            type='ZeroShotCLIPHead',
            classes=['normal', 'fire'],
            text_encoder=TEXT,
            class_prompts=prompts,
        )
    )
    with torch.no_grad():
        got = head.prompt_embeddings()
        for k, name in enumerate(['normal', 'fire']):
            emb = F.normalize(
                head.text_encoder.encode_text(prompts[name]), dim=-1
            )
            expected = F.normalize(emb.mean(0), dim=-1)
            torch.testing.assert_close(got[k], expected)
    with pytest.raises(
        ValueError, match='class_prompts keys .* are not the classes'
    ):
        MODELS.build(
            dict(
                type='ZeroShotCLIPHead',
                classes=['normal', 'x'],
                text_encoder=TEXT,
                class_prompts=prompts,
            )
        )
