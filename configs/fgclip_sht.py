# FG-CLIP on ShanghaiTech (weakly supervised split).
_base_ = [
    '_base_/models/fgclip_vit-b16.py', '_base_/datasets/shanghaitech.py',
    '_base_/schedules/adamw_10e.py', '_base_/default_runtime.py'
]
model = dict(
    # no region annotations (see fgclip_xd.py)
    loss=dict(region_weight=0.0),
    scorer=dict(class_prompts={
        'Normal': ['people walking on a campus.', 'a normal campus scene.'],
        'Anomaly': ['a person running, fighting or riding a bike on a campus.',
                    'a vehicle on a pedestrian walkway.',
                    'an abnormal event on a campus.'],
    }, classes=None))
val_cfg = None  # no validation split: never pick checkpoints on the test set
