# VadCLIP-style dual branch (Wu et al., AAAI 2024) on XD-Violence. Point
# model.head.text_encoder.pretrained at the CLIP the features came from (OpenAI
# ViT-B/16: also arch='ViT-B-16-quickgelu').
_base_ = [
    '../_base_/models/vadclip_snippet.py',
    '../_base_/datasets/xd_violence_features.py',
    '../_base_/schedules/snippet_baseline_30e.py',
    '../_base_/default_runtime.py',
]
# XD-Violence's classes in label order, normal first
model = dict(
    head=dict(
        classes=[
            'normal',
            'fighting',
            'shooting',
            'riot',
            'abuse',
            'car accident',
            'explosion',
        ],
        adapter=dict(window=64),
    )
)
optim_wrapper = {{_base_.paper_optim_wrapper}}
# VadCLIP's CLIP ViT-B/16 frame features (per-crop (T, 512) files listed in
# CSVs; data_prefix points at the folder they were unpacked to).
train_dataloader = dict(
    dataset=dict(
        ann_file='list/xd_CLIP_rgb.csv',
        path_map=None,
        keep_dirs=1,
        data_prefix=dict(feature='data/xd_violence/XDTrainClipFeatures'),
        pipeline=[
            dict(type='LoadSnippetFeatures'),
            dict(type='SampleSnippetsMaxLen', max_len=256),
            dict(type='PackSnippetInputs'),
        ],
    )
)
test_dataloader = dict(
    dataset=dict(
        ann_file='list/xd_CLIP_rgbtest.csv',
        path_map=None,
        keep_dirs=1,
        data_prefix=dict(feature='data/xd_violence/XDTestClipFeatures'),
    )
)
# no validation split: the test set never picks checkpoints
val_dataloader = None
val_evaluator = None
