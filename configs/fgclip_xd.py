# FG-CLIP on XD-Violence (video-level labels; captions from class names).
_base_ = [
    '_base_/models/fgclip_vit-b16.py',
    '_base_/datasets/xd_violence.py',
    '_base_/schedules/adamw_10e.py',
    '_base_/default_runtime.py',
]
model = dict(
    # No region annotations: the only valid regions are normal videos' virtual
    # boxes, all with the same caption, so the regional InfoNCE has no negatives.
    # Train the global branch only; regional scoring keeps CLIP's dense features.
    loss=dict(region_weight=0.0),
    # the XD-Violence class prompts (_base_/datasets/xd_violence.py)
    scorer={{_base_.scorer_prompts}},
)
val_cfg = None  # no validation split: never pick checkpoints on the test set
