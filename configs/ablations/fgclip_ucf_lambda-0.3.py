# Ablation E of the seed plan on UCF-Crime: region loss weight lambda = 0.3
# (0.5 is the default).
_base_ = ['../fgclip_ucf.py']

model = dict(loss=dict(region_weight=0.3))
