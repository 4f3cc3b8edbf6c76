"""transformers CLIP -> open_clip conversion, checked against transformers."""

import subprocess
import sys

import open_clip
import pytest
import torch

from fgclip_mm.models.backbones import OpenCLIPBackbone, hf_clip_to_open_clip

transformers = pytest.importorskip('transformers')

WIDTH, LAYERS, HEADS, EMBED, CTX = 64, 2, 4, 32, 77


def tiny_hf_clip():
    cfg = transformers.CLIPConfig(
        text_config=dict(
            hidden_size=WIDTH,
            intermediate_size=2 * WIDTH,
            num_hidden_layers=LAYERS,
            num_attention_heads=HEADS,
            max_position_embeddings=CTX,
            vocab_size=49408,
            hidden_act='gelu',
            eos_token_id=49407,
            bos_token_id=49406,
            pad_token_id=49407,
        ),
        vision_config=dict(
            hidden_size=WIDTH,
            intermediate_size=2 * WIDTH,
            num_hidden_layers=LAYERS,
            num_attention_heads=HEADS,
            image_size=32,
            patch_size=8,
            hidden_act='gelu',
        ),
        projection_dim=EMBED,
    )
    torch.manual_seed(0)
    return transformers.CLIPModel(cfg).eval()


def tiny_open_clip_arch():
    return dict(
        embed_dim=EMBED,
        vision_cfg=dict(
            image_size=32,
            patch_size=8,
            width=WIDTH,
            layers=LAYERS,
            head_width=WIDTH // HEADS,
            mlp_ratio=2.0,
        ),
        text_cfg=dict(
            context_length=CTX,
            vocab_size=49408,
            width=WIDTH,
            heads=HEADS,
            layers=LAYERS,
            mlp_ratio=2.0,
        ),
    )


def test_converted_weights_give_transformers_embeddings(tmp_path):
    hf = tiny_hf_clip()
    state = dict(hf.state_dict())
    state['text_filip_projection.weight'] = torch.zeros(
        EMBED, WIDTH
    )  # FG-CLIP extra
    converted, skipped = hf_clip_to_open_clip(state)
    assert skipped == ['text_filip_projection.weight']
    path = tmp_path / 'converted.pt'
    torch.save(converted, path)
    backbone = OpenCLIPBackbone(
        arch=tiny_open_clip_arch(), pretrained=str(path)
    )
    images = torch.randn(2, 3, 32, 32)
    texts = ['a man fighting', 'an empty street at night']
    tokens = backbone.tokenize(texts)
    with torch.no_grad():
        ref_img = hf.get_image_features(pixel_values=images)
        ref_txt = hf.get_text_features(input_ids=tokens)
        ref_img = getattr(ref_img, 'pooler_output', ref_img)
        ref_txt = getattr(ref_txt, 'pooler_output', ref_txt)
    torch.testing.assert_close(
        backbone(images)[0], ref_img, rtol=1e-4, atol=1e-5
    )
    torch.testing.assert_close(
        backbone.encode_text(texts), ref_txt, rtol=1e-4, atol=1e-5
    )


def test_unknown_key_is_named():
    with pytest.raises(KeyError, match='backbone.layer1.weight'):
        hf_clip_to_open_clip({'backbone.layer1.weight': torch.zeros(1)})


def test_converter_cli_writes_a_loadable_file(tmp_path):
    hf = tiny_hf_clip()
    src = tmp_path / 'fg-clip-tiny'
    hf.save_pretrained(src)
    out = tmp_path / 'openclip.pt'
    res = subprocess.run(
        [sys.executable, 'tools/convert_fgclip_hf.py', str(src), str(out)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert 'wrote' in res.stdout
    model = open_clip.CLIP(**tiny_open_clip_arch())
    state = torch.load(out, weights_only=True)
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and set(missing) <= {'logit_bias'}
