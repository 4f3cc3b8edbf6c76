# Ablation A of the seed plan on UCF-Crime: region loss only, regional score
# only (fgclip_ucf.py: both). Reports AUC, AP.
_base_ = ['../fgclip_ucf.py']

model = dict(
    loss=dict(global_weight=0.0, region_weight=1.0), scorer=dict(alpha=0.0)
)
