# MIL ranking (Sultani et al., CVPR 2018) on ShanghaiTech: RTFM's ten-crop I3D features (its gt-sh labels)
# (docs/baselines.md, configs/_base_/datasets/shanghaitech_features.py).
_base_ = [
    '../_base_/models/mil_snippet.py',
    '../_base_/datasets/shanghaitech_features.py',
    '../_base_/schedules/snippet_baseline_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(in_channels=2048))
optim_wrapper = {{_base_.paper_optim_wrapper}}
# no validation split: the test set never picks checkpoints
val_dataloader = None
val_evaluator = None
