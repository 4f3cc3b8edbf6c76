# RTFM (Tian et al., ICCV 2021) on UCF-Crime: RTFM's ten-crop I3D features
# (docs/baselines.md, configs/_base_/datasets/ucf_crime_features.py).
_base_ = [
    '../_base_/models/rtfm_snippet.py',
    '../_base_/datasets/ucf_crime_features.py',
    '../_base_/schedules/snippet_baseline_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(in_channels=2048))
optim_wrapper = {{_base_.paper_optim_wrapper}}
# no validation split: the test set never picks checkpoints
val_dataloader = None
val_evaluator = None
