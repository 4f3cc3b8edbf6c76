# FG-CLIP on the synthetic demo data: a tiny CLIP trained from scratch on CPU in
# a few minutes. `make demo` generates the data, trains and tests this config.
# The ablations in configs/ablations/ inherit this file and change one field.
_base_ = [
    '_base_/models/fgclip_tiny.py',
    '_base_/datasets/demo.py',
    '_base_/schedules/adamw_10e.py',
    '_base_/default_runtime.py',
]

# the demo captions as prompts (_base_/datasets/demo.py)
model = dict(scorer={{_base_.scorer_prompts}})

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=4,
        dataset={{_base_.train_dataloader.dataset}},
    )
)

train_cfg = dict(max_epochs=8, val_interval=8)
val_cfg = None
val_dataloader = None
val_evaluator = None

optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=0.01))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True,
    ),
    dict(
        type='CosineAnnealingLR',
        T_max=7,
        eta_min=1e-5,
        by_epoch=True,
        begin=1,
        end=8,
    ),
]
default_hooks = dict(checkpoint=dict(interval=2))
