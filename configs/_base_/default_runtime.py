# MMAction2's own runtime, inherited through the `mmaction::` scope.
_base_ = 'mmaction::_base_/default_runtime.py'

custom_imports = dict(imports=['fgclip_mm'], allow_failed_imports=False)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10, ignore_last=False),
    checkpoint=dict(
        type='CheckpointHook', interval=1, max_keep_ckpts=3, save_best=None
    ),
    # a NaN / inf loss stops the run before the optimizer step, naming the
    # epoch, iteration, loss terms and videos; action='skip' skips such steps
    # (counted, logged per epoch and at the end of the run)
    nonfinite_loss=dict(type='NonFiniteLossHook', action='raise'),
)

# NCCL on GPUs; on a CPU-only machine fgclip_mm.compat initialises gloo instead.
env_cfg = dict(dist_cfg=dict(backend='nccl'))

# device_ids=None lets DDP use the module's device: the local GPU, or the CPU.
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel',
    device_ids=None,
    broadcast_buffers=False,
    find_unused_parameters=True,
)

# Fixed seed so that a resumed run continues on the same data order.
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)

visualizer = dict(
    type='ActionVisualizer', vis_backends=[dict(type='LocalVisBackend')]
)

# Reseed per epoch: a resumed run continues bit-for-bit like an uninterrupted one.
# RunStatsHook: epoch time, samples/s, peak memory and parameter counts in the
# log and in <work_dir>/run_stats.json (read by tools/analysis/compare.py).
# SkippedSamplesHook: training samples skipped for an unreadable video
# (on_error='skip') counted over all ranks, reported per epoch and for the run
# in the log and in <work_dir>/skipped_samples.json.
custom_hooks = [
    dict(type='EpochSeedHook'),
    dict(type='RunStatsHook'),
    dict(type='SkippedSamplesHook'),
]
