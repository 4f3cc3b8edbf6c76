# Ablation A of the seed plan on the demo split where regions matter: global
# loss only, global score only (fgclip_demo-small.py: both).
_base_ = ['../fgclip_demo-small.py']

model = dict(
    loss=dict(global_weight=1.0, region_weight=0.0), scorer=dict(alpha=1.0)
)
