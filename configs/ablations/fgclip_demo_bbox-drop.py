# Ablation D of the seed plan on the demo data: drop samples without boxes.
_base_ = ['../fgclip_demo.py']

train_pipeline = [
    dict(type='VideoReaderInit'),
    dict(type='SampleAnnotatedFrames', clip_len=8, strategy='timestamped'),
    dict(type='DecodeSampledFrames', scale=(64, 64)),
    dict(type='GenerateRegionBoxes', max_regions=2, strategy='drop'),
    dict(type='FlipWithBoxes', flip_ratio=0.5),
    dict(type='PackFGCLIPInputs'),
]
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
