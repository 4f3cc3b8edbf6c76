# Snippet features of the synthetic demo data (48-96 frames per video), cached
# by tools/extract_features.py with the demo config's backbone:
#   python tools/extract_features.py configs/fgclip_demo.py \
#       --out data/demo/clip_features --snippet-length 4
# (with FGCLIP_DEMO_ROOT set, --out $FGCLIP_DEMO_ROOT/clip_features)
# Short snippets (4 frames) give 12-24 snippets per video; every frame the
# snippets cover is scored ('frame' protocol: snippet16 needs L = 16).
# The demo data's classes, root and prompts (`scorer_prompts`) come from the
# video-level base; its loaders are replaced.
_base_ = ['demo.py']
dataset_type = 'SnippetFeatureDataset'
data_root = '{{$FGCLIP_DEMO_ROOT:data/demo}}'
feature_index = f'{data_root}/clip_features/index.json'
num_segments = 8
# The CLIP that extracted the features (the demo model's, see
# _base_/models/fgclip_tiny.py), exported by tools/export_clip_weights.py:
# the text tower of the prompt-based baselines (VadCLIP-style, zero-shot).
# `_delete_` replaces the model base's text_encoder (a ViT-B/16) whole.
feature_clip = dict(
    _delete_=True,
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
    pretrained=f'{data_root}/clip.pt',
)

train_pipeline = [
    dict(type='LoadSnippetFeatures'),
    dict(type='SampleSnippetSegments', num_segments=num_segments),
    dict(type='PackSnippetInputs'),
]
test_pipeline = [
    dict(type='LoadSnippetFeatures'),
    dict(type='PackSnippetInputs'),
]

train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=feature_index,
        split='train',
        metainfo=dict(classes={{_base_.classes}}),
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=feature_index,
        split='test',
        metainfo=dict(classes={{_base_.classes}}),
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader

val_evaluator = dict(type='VADMetric', protocol='frame')
test_evaluator = val_evaluator
