# MIL ranking (Sultani et al., CVPR 2018) on XD-Violence: the five-crop I3D features of XD-Violence
# (docs/baselines.md, configs/_base_/datasets/xd_violence_features.py).
_base_ = [
    '../_base_/models/mil_snippet.py',
    '../_base_/datasets/xd_violence_features.py',
    '../_base_/schedules/snippet_baseline_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(in_channels=2048))
optim_wrapper = {{_base_.paper_optim_wrapper}}
# no validation split: the test set never picks checkpoints
val_dataloader = None
val_evaluator = None
