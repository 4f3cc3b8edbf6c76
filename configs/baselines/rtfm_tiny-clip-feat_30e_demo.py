# RTFM (Tian et al., ICCV 2021) on the demo data's cached snippet features
# (64-d). The demo bags have 8 segments, so top-k uses k = 3 of 8.
_base_ = [
    '../_base_/models/rtfm_snippet.py',
    '../_base_/datasets/demo_features.py',
    '../_base_/schedules/snippet_baseline_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(in_channels=64, hidden_dims=(64, 32)))
optim_wrapper = {{_base_.paper_optim_wrapper}}
# no validation split: the test set never picks checkpoints
val_dataloader = None
val_evaluator = None
