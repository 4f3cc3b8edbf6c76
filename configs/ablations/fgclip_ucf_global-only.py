# Ablation A of the seed plan on UCF-Crime: global loss only, global score
# only (fgclip_ucf.py: both, lambda = 0.5, alpha = 0.5). Reports AUC, AP.
_base_ = ['../fgclip_ucf.py']

model = dict(
    loss=dict(global_weight=1.0, region_weight=0.0), scorer=dict(alpha=1.0)
)
