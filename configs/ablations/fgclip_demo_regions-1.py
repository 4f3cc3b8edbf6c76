# Ablation C of the seed plan on the demo data: one region slot per sample.
_base_ = ['../fgclip_demo.py']

train_pipeline = [
    dict(type='VideoReaderInit'),
    dict(type='SampleAnnotatedFrames', clip_len=8, strategy='timestamped'),
    dict(type='DecodeSampledFrames', scale=(64, 64)),
    dict(type='GenerateRegionBoxes', max_regions=1, strategy='virtual_mask'),
    dict(type='FlipWithBoxes', flip_ratio=0.5),
    dict(type='PackFGCLIPInputs'),
]
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
