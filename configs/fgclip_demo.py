# FG-CLIP on the synthetic demo data: a tiny CLIP trained from scratch on CPU in
# a few minutes. `make demo` generates the data, trains and tests this config.
_base_ = [
    '_base_/models/fgclip_tiny.py', '_base_/datasets/demo.py',
    '_base_/schedules/adamw_10e.py', '_base_/default_runtime.py'
]

# The demo captions are a fixed set of sentences per class
# (fgclip_mm.datasets.demo_data.DEMO_CAPTIONS); scoring reuses them as prompts.
demo_prompts = {
    'Normal': [
        'A normal surveillance video of people walking across a square.',
        'A quiet scene where a few pedestrians walk slowly.',
        'An ordinary street scene with people passing by.',
        'People walk calmly through the scene.',
        'A few pedestrians stroll across the ground.',
    ],
    'Explosion': [
        'An explosion happens and a bright orange fireball grows in the scene.',
        'A sudden blast creates an expanding ball of fire among the pedestrians.',
        'A bright orange fireball expanding from the blast.',
        'A growing orange and yellow explosion.',
    ],
    'Fighting': [
        'Two people in red fight violently in the middle of the scene.',
        'A fight breaks out as two people in red attack each other.',
        'A person in red throwing punches.',
        'A person in red fighting back.',
    ],
}
model = dict(scorer=dict(class_prompts=demo_prompts, classes=None))

train_dataloader = dict(
    dataset=dict(_delete_=True, type='RepeatDataset', times=4,
                 dataset={{_base_.train_dataloader.dataset}}))

train_cfg = dict(max_epochs=8, val_interval=8)
val_cfg = None
val_dataloader = None
val_evaluator = None

optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=7, eta_min=1e-5, by_epoch=True,
         begin=1, end=8)
]
default_hooks = dict(checkpoint=dict(interval=2))
