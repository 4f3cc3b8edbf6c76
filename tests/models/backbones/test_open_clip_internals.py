import open_clip
import pytest
import torch

from fgclip_mm.models.backbones import (
    OpenCLIPBackbone,
    tiny_clip_arch,
    vit_global_and_dense,
)
from fgclip_mm.models.backbones.open_clip_internals import (
    encode_text_with_context,
    value_only_block,
)


@pytest.fixture(scope='module')
def backbone():
    torch.manual_seed(0)
    return OpenCLIPBackbone(arch=tiny_clip_arch(), frozen=True)


def _patch_dropout_arch(prob):
    arch = tiny_clip_arch()
    arch['vision_cfg']['patch_dropout'] = prob
    return arch


def manual_dense(visual, images):
    """Independent route: open_clip's own block with a diagonal attention mask.

    A token that may attend only to itself gets softmax weight 1 on itself, so
    the block computes exactly the value path.
    """
    x = visual._embeds(images)
    for block in visual.transformer.resblocks[:-1]:
        x = block(x)
    length = x.shape[1]
    diag = torch.full((length, length), float('-inf'))
    diag.fill_diagonal_(0.0)
    x = visual.transformer.resblocks[-1](x, attn_mask=diag)
    patches = visual.ln_post(x[:, 1:]) @ visual.proj
    return patches


def test_dense_features_match_value_only_block_through_open_clip(backbone):
    images = torch.randn(2, 3, 64, 64)
    _, dense = backbone(images)
    assert dense.shape == (2, 64, 8, 8)
    expected = manual_dense(backbone.clip.visual, images)  # (N, h*w, D)
    got = dense.flatten(2).transpose(1, 2)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)


def test_dense_features_do_not_mix_tokens(backbone):
    """Changing one image patch changes only that patch's dense embedding
    when the earlier blocks are bypassed (the last block is token-local)."""
    visual = backbone.clip.visual
    x = torch.randn(1, 65, 64)
    y1 = value_only_block(visual.transformer.resblocks[-1], x)
    x2 = x.clone()
    x2[0, 5] += 1.0
    y2 = value_only_block(visual.transformer.resblocks[-1], x2)
    changed = (y1 - y2).abs().sum(-1)[0] > 0
    assert changed.nonzero().flatten().tolist() == [5]


def test_vit_b16_dense_grid_is_14x14():
    visual = open_clip.create_model('ViT-B-16').visual
    # only shape bookkeeping: run a 1-layer truncated copy to stay fast
    visual.transformer.resblocks = visual.transformer.resblocks[:1]
    glob, dense = vit_global_and_dense(visual, torch.randn(1, 3, 224, 224))
    assert glob.shape == (1, 512) and dense.shape == (1, 512, 14, 14)


def test_context_equal_to_placeholder_embeddings_reproduces_encode_text():
    torch.manual_seed(0)
    backbone = OpenCLIPBackbone(arch=tiny_clip_arch(), prompt_context=3)
    clip = backbone.clip
    tokens = backbone.tokenize(['X X X a man fighting', 'X X X a street'])
    placeholder = clip.token_embedding(tokens[0, 1:4]).detach()
    torch.testing.assert_close(
        encode_text_with_context(clip, tokens, placeholder),
        clip.encode_text(tokens),
        rtol=1e-5,
        atol=1e-6,
    )


def test_dense_features_refuse_a_tower_that_drops_patches():
    visual = open_clip.CLIP(**_patch_dropout_arch(0.5)).visual.train()
    with pytest.raises(ValueError, match='patch dropout 0.5 in training'):
        vit_global_and_dense(visual, torch.randn(1, 3, 64, 64))
