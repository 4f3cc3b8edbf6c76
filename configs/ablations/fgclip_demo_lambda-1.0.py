# Ablation E of the seed plan on the demo data: region loss weight lambda = 1.0 (0.5 is the default).
_base_ = ['../fgclip_demo.py']

model = dict(loss=dict(region_weight=1.0))
