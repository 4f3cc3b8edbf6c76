# FG-CLIP with an open_clip ViT-B/16: frozen CLIP, trainable adapters.
# Point backbone.pretrained at a local weights file (see docs/weights.md); with
# OpenAI weights use arch='ViT-B-16-quickgelu'.
# The scorer's prompts belong to the data: each dataset base defines
# `scorer_prompts` and the top-level config passes them to `model.scorer`.
model = dict(
    type='FGCLIPRecognizer',
    backbone=dict(
        type='OpenCLIPBackbone',
        arch='ViT-B-16',
        pretrained=None,
        frozen=True,
        freeze_text=True,
        # > 0: learnable prompt context vectors (trained, CoOp-style)
        prompt_context=0,
    ),
    temporal_adapter=dict(
        type='TemporalAdapter',
        num_layers=1,
        num_heads=8,
        max_frames=64,
        pooling='mean',
    ),
    # one RoIAlign cell per box, as FG-CLIP pools region features
    region_head=dict(type='RoIRegionHead', output_size=1, sampling_ratio=0),
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
