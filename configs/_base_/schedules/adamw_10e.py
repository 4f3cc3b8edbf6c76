train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=10, val_begin=1, val_interval=1
)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.98), weight_decay=0.05
    ),
    clip_grad=dict(max_norm=1.0, norm_type=2),
    # no weight decay on temperatures, biases, norms and position / class
    # embeddings (CLIP's and open_clip's training recipe)
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'logit_scales': dict(decay_mult=0.0),
            'positional_embedding': dict(decay_mult=0.0),
            'class_embedding': dict(decay_mult=0.0),
            'pos_embed': dict(decay_mult=0.0),
        },
    ),
)

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
        T_max=9,
        eta_min=1e-6,
        by_epoch=True,
        begin=1,
        end=10,
    ),
]

# lr above is for a total batch of 64 clips
auto_scale_lr = dict(enable=False, base_batch_size=64)
