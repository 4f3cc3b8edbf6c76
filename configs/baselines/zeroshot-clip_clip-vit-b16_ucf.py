# Zero-shot CLIP on UCF-Crime's CLIP ViT-B/16 features: class prompts scored
# by the CLIP text tower, nothing trained. Point
# model.head.text_encoder.pretrained at the CLIP the features came from.
#   python tools/test.py configs/baselines/zeroshot-clip_clip-vit-b16_ucf.py none
_base_ = [
    '../_base_/models/zeroshot-clip_snippet.py',
    '../_base_/datasets/ucf_crime_features.py',
    '../_base_/default_runtime.py',
]
# the model base's classes are UCF-Crime's (label order, normal first)
test_dataloader = dict(
    dataset=dict(
        ann_file='list/ucf_CLIP_rgbtest.csv',
        path_map=None,
        keep_dirs=1,
        data_prefix=dict(feature='data/ucf_crime/UCFClipFeatures'),
    )
)
train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
