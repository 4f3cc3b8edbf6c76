# Zero-shot CLIP on the demo data's cached snippet features: the trained demo
# CLIP's text tower scores the class prompts; nothing is trained.
#   python tools/test.py configs/baselines/zeroshot-clip_tiny-clip-feat_demo.py
#       none --dump work_dirs/zeroshot/results.npz
_base_ = [
    '../_base_/models/zeroshot-clip_snippet.py',
    '../_base_/datasets/demo_features.py',
    '../_base_/default_runtime.py',
]
# the demo captions the CLIP was trained on are the prompts
model = dict(
    head=dict(
        classes={{_base_.classes}},
        class_prompts={{_base_.scorer_prompts.class_prompts}},
        text_encoder={{_base_.feature_clip}},
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
