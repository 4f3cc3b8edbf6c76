# FG-CLIP on the demo split where regions matter (a crowd and small
# anomalies, _base_/datasets/demo_small.py), trained as
# configs/fgclip_demo.py. Ablation A on it:
# configs/ablations/fgclip_demo-small_global-only.py and _region-only.py.
_base_ = [
    '_base_/models/fgclip_tiny.py',
    '_base_/datasets/demo_small.py',
    '_base_/schedules/adamw_10e.py',
    '_base_/default_runtime.py',
]

# the split's captions as prompts (_base_/datasets/demo_small.py)
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
