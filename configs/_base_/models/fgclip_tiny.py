# A tiny ViT CLIP (64x64 input, 8x8 patch grid) trained from scratch: for the
# CPU demo and tests. The components of fgclip_vit-b16.py, with a small
# architecture, every tower trained, and smaller temporal attention.
# The scorer's prompts come from the dataset base (`scorer_prompts`).
model = dict(
    type='FGCLIPRecognizer',
    backbone=dict(
        type='OpenCLIPBackbone',
        arch=dict(
            embed_dim=64,
            vision_cfg=dict(
                image_size=64,
                patch_size=8,
                width=64,
                layers=2,
                head_width=16,
                mlp_ratio=2.0,
            ),
            text_cfg=dict(
                context_length=32,
                vocab_size=49408,
                width=64,
                heads=4,
                layers=2,
                mlp_ratio=2.0,
            ),
        ),
        pretrained=None,
        frozen=False,
        freeze_text=False,
        prompt_context=0,
    ),
    temporal_adapter=dict(
        type='TemporalAdapter',
        num_layers=1,
        num_heads=4,
        max_frames=32,
        pooling='mean',
    ),
    region_head=dict(type='RoIRegionHead', output_size=2, sampling_ratio=0),
    loss=dict(type='DualContrastiveLoss', region_weight=0.5),
    scorer=dict(
        type='PromptAnomalyScorer',
        alpha=0.5,
        grid_sizes=(2, 3),
        region_reduce='max',
    ),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        # CLIP's normalisation, in 0-255 RGB
        mean=[122.7709383, 116.7460125, 104.09373615],
        std=[68.5005327, 66.6321579, 70.32316305],
        format_shape='NCHW',
    ),
)
