# MIL ranking (Sultani et al., CVPR 2018) on the demo data's cached snippet
# features (the trained demo FG-CLIP's image tower, 64-d; see `make
# demo-baselines` and docs/baselines.md).
_base_ = [
    '../_base_/models/mil_snippet.py',
    '../_base_/datasets/demo_features.py',
    '../_base_/schedules/snippet_baseline_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(in_channels=64))
optim_wrapper = {{_base_.paper_optim_wrapper}}
# no validation split: the test set never picks checkpoints
val_dataloader = None
val_evaluator = None
