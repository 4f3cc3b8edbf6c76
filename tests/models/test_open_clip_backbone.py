import open_clip
import pytest
import torch
import torch.nn.functional as F

from fgclip_mm.models.backbones import (OpenCLIPBackbone, tiny_clip_arch,
                                        vit_global_and_dense)


@pytest.fixture(scope='module')
def backbone():
    torch.manual_seed(0)
    return OpenCLIPBackbone(arch=tiny_clip_arch(), frozen=True)


def manual_dense(visual, images):
    """Independent route: open_clip's own block with a diagonal attention mask.

    A token that may attend only to itself gets softmax weight 1 on itself, so the
    block computes exactly the value path.
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


def test_global_embedding_equals_open_clip_encode_image(backbone):
    images = torch.randn(3, 3, 64, 64)
    glob, _ = backbone(images)
    torch.testing.assert_close(glob, backbone.clip.encode_image(images))


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
    from fgclip_mm.models.backbones import value_only_block
    y1 = value_only_block(visual.transformer.resblocks[-1], x)
    x2 = x.clone()
    x2[0, 5] += 1.0
    y2 = value_only_block(visual.transformer.resblocks[-1], x2)
    changed = (y1 - y2).abs().sum(-1)[0] > 0
    assert changed.nonzero().flatten().tolist() == [5]


def test_frozen_backbone_has_no_trainable_parameters(backbone):
    assert not any(p.requires_grad for p in backbone.parameters())
    backbone.train()
    assert not backbone.clip.visual.training


def test_weights_from_a_local_file_give_identical_embeddings(tmp_path):
    torch.manual_seed(1)
    source = open_clip.CLIP(**tiny_clip_arch())
    path = tmp_path / 'clip_tiny.pt'
    torch.save({'state_dict': {f'module.{k}': v
                               for k, v in source.state_dict().items()}}, path)
    torch.manual_seed(2)  # a different random init, overwritten by the file
    loaded = OpenCLIPBackbone(arch=tiny_clip_arch(), pretrained=str(path))
    images = torch.randn(2, 3, 64, 64)
    torch.testing.assert_close(loaded(images)[0], source.encode_image(images))
    tokens = loaded.tokenize(['a person fighting'])
    torch.testing.assert_close(loaded.encode_text(['a person fighting']),
                               source.encode_text(tokens))


def test_foreign_checkpoint_is_refused_with_the_file_named(tmp_path):
    path = tmp_path / 'resnet.pth'
    torch.save({'conv.weight': torch.zeros(3)}, path)
    with pytest.raises(ValueError, match='resnet.pth'):
        OpenCLIPBackbone(arch=tiny_clip_arch(), pretrained=str(path))
    with pytest.raises(FileNotFoundError, match='missing.pt'):
        OpenCLIPBackbone(arch=tiny_clip_arch(),
                         pretrained=str(tmp_path / 'missing.pt'))


def test_vit_b16_dense_grid_is_14x14():
    visual = open_clip.create_model('ViT-B-16').visual
    # only shape bookkeeping: run a 1-layer truncated copy to stay fast
    visual.transformer.resblocks = visual.transformer.resblocks[:1]
    glob, dense = vit_global_and_dense(visual, torch.randn(1, 3, 224, 224))
    assert glob.shape == (1, 512) and dense.shape == (1, 512, 14, 14)


def test_context_equal_to_placeholder_embeddings_reproduces_encode_text():
    from fgclip_mm.models.backbones import encode_text_with_context
    torch.manual_seed(0)
    backbone = OpenCLIPBackbone(arch=tiny_clip_arch(), prompt_context=3)
    clip = backbone.clip
    tokens = backbone.tokenize(['X X X a man fighting', 'X X X a street'])
    placeholder = clip.token_embedding(tokens[0, 1:4]).detach()
    torch.testing.assert_close(
        encode_text_with_context(clip, tokens, placeholder),
        clip.encode_text(tokens), rtol=1e-5, atol=1e-6)


def test_prompt_context_trains_while_the_text_tower_stays_frozen():
    torch.manual_seed(0)
    backbone = OpenCLIPBackbone(arch=tiny_clip_arch(), prompt_context=4)
    assert not backbone.text_is_fixed
    trainable = [n for n, p in backbone.named_parameters() if p.requires_grad]
    assert trainable == ['context_vectors']
    backbone.encode_text(['a fight', 'a street']).sum().backward()
    assert backbone.context_vectors.grad is not None
    assert backbone.clip.token_embedding.weight.grad is None
