# Ablation A of the seed plan on the demo data: region loss only, regional score only.
_base_ = ['../fgclip_demo.py']

model = dict(
    loss=dict(global_weight=0.0, region_weight=1.0), scorer=dict(alpha=0.0)
)
