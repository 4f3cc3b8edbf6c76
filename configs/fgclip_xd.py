# FG-CLIP on XD-Violence (video-level labels; captions from class names).
_base_ = [
    '_base_/models/fgclip_vit-b16.py', '_base_/datasets/xd_violence.py',
    '_base_/schedules/adamw_10e.py', '_base_/default_runtime.py'
]
model = dict(
    # no region annotations: the regional loss only sees virtual full-frame boxes
    loss=dict(region_weight=0.5),
    scorer=dict(classes=['normal activity', 'fighting', 'shooting', 'riot',
                         'abuse', 'car accident', 'explosion']))
val_cfg = None  # no validation split: never pick checkpoints on the test set
