# Ablation A of the seed plan on the demo split where regions matter: region
# loss only, regional score only (fgclip_demo-small.py: both).
_base_ = ['../fgclip_demo-small.py']

model = dict(
    loss=dict(global_weight=0.0, region_weight=1.0), scorer=dict(alpha=0.0)
)
