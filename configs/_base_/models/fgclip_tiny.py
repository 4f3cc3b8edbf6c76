# A tiny ViT CLIP (64x64 input, 8x8 patch grid) trained from scratch: for the
# CPU demo and tests. Same components as the ViT-B/16 model.
_base_ = ['./fgclip_vit-b16.py']

model = dict(
    backbone=dict(
        arch=dict(
            _delete_=True,
            embed_dim=64,
            vision_cfg=dict(image_size=64, patch_size=8, width=64, layers=2,
                            head_width=16, mlp_ratio=2.0),
            text_cfg=dict(context_length=32, vocab_size=49408, width=64,
                          heads=4, layers=2, mlp_ratio=2.0)),
        frozen=False,
        freeze_text=False),
    temporal_adapter=dict(num_heads=4, max_frames=32),
    scorer=dict(classes=['normal', 'anomaly']))
