# FG-CLIP on ShanghaiTech (weakly supervised split).
_base_ = [
    '_base_/models/fgclip_vit-b16.py',
    '_base_/datasets/shanghaitech.py',
    '_base_/schedules/adamw_10e.py',
    '_base_/default_runtime.py',
]
model = dict(
    # no region annotations (see fgclip_xd.py)
    loss=dict(region_weight=0.0),
    # the ShanghaiTech prompts (_base_/datasets/shanghaitech.py)
    scorer={{_base_.scorer_prompts}},
)
val_cfg = None  # no validation split: never pick checkpoints on the test set
