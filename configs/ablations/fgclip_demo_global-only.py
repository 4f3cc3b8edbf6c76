# Ablation A of the seed plan on the demo data: global loss only, global score only.
_base_ = ['../fgclip_demo.py']

model = dict(
    loss=dict(global_weight=1.0, region_weight=0.0), scorer=dict(alpha=1.0)
)
