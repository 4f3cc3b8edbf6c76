import open_clip
import pytest
import torch

from fgclip_mm.models.backbones import OpenCLIPBackbone, tiny_clip_arch


@pytest.fixture(scope='module')
def backbone():
    torch.manual_seed(0)
    return OpenCLIPBackbone(arch=tiny_clip_arch(), frozen=True)


def test_global_embedding_equals_open_clip_encode_image(backbone):
    images = torch.randn(3, 3, 64, 64)
    glob, _ = backbone(images)
    torch.testing.assert_close(glob, backbone.clip.encode_image(images))


def test_frozen_backbone_has_no_trainable_parameters(backbone):
    assert not any(p.requires_grad for p in backbone.parameters())
    backbone.train()
    assert not backbone.clip.visual.training


def test_weights_from_a_local_file_give_identical_embeddings(tmp_path):
    torch.manual_seed(1)
    source = open_clip.CLIP(**tiny_clip_arch())
    path = tmp_path / 'clip_tiny.pt'
    torch.save(
        {
            'state_dict': {
                f'module.{k}': v for k, v in source.state_dict().items()
            }
        },
        path,
    )
    torch.manual_seed(2)  # a different random init, overwritten by the file
    loaded = OpenCLIPBackbone(arch=tiny_clip_arch(), pretrained=str(path))
    images = torch.randn(2, 3, 64, 64)
    torch.testing.assert_close(loaded(images)[0], source.encode_image(images))
    tokens = loaded.tokenize(['a person fighting'])
    torch.testing.assert_close(
        loaded.encode_text(['a person fighting']), source.encode_text(tokens)
    )


def test_foreign_checkpoint_is_refused_with_the_file_named(tmp_path):
    path = tmp_path / 'resnet.pth'
    torch.save({'conv.weight': torch.zeros(3)}, path)
    with pytest.raises(ValueError, match='resnet.pth'):
        OpenCLIPBackbone(arch=tiny_clip_arch(), pretrained=str(path))
    with pytest.raises(FileNotFoundError, match='missing.pt'):
        OpenCLIPBackbone(
            arch=tiny_clip_arch(), pretrained=str(tmp_path / 'missing.pt')
        )


def test_prompt_context_trains_while_the_text_tower_stays_frozen():
    torch.manual_seed(0)
    backbone = OpenCLIPBackbone(arch=tiny_clip_arch(), prompt_context=4)
    assert not backbone.text_is_fixed
    trainable = [n for n, p in backbone.named_parameters() if p.requires_grad]
    assert trainable == ['context_vectors']
    backbone.encode_text(['a fight', 'a street']).sum().backward()
    assert backbone.context_vectors.grad is not None
    assert backbone.clip.token_embedding.weight.grad is None


def test_device_is_the_parameters_device(backbone):
    assert backbone.device == torch.device('cpu')
    assert backbone.tokenize(['a fight']).device == backbone.device


def _patch_dropout_arch(prob):
    arch = tiny_clip_arch()
    arch['vision_cfg']['patch_dropout'] = prob
    return arch


def test_patch_dropout_in_a_trainable_tower_is_refused_by_name():
    with pytest.raises(ValueError, match=r"vision_cfg\['patch_dropout'\]=0"):
        OpenCLIPBackbone(arch=_patch_dropout_arch(0.5), frozen=False)


def test_patch_dropout_in_a_frozen_tower_keeps_every_patch():
    torch.manual_seed(0)
    frozen = OpenCLIPBackbone(arch=_patch_dropout_arch(0.5), frozen=True)
    frozen.train()  # the frozen tower stays in eval mode: no patch dropped
    _, dense = frozen(torch.randn(2, 3, 64, 64))
    assert dense.shape == (2, 64, 8, 8)
