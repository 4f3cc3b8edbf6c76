from .epoch_seed_hook import EpochSeedHook, epoch_seed
from .nonfinite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .run_stats_hook import RunStatsHook, count_parameters, peak_rss_mb
from .skipped_samples_hook import SkippedSamplesHook

__all__ = [
    'EpochSeedHook',
    'epoch_seed',
    'RunStatsHook',
    'count_parameters',
    'peak_rss_mb',
    'NonFiniteLossError',
    'NonFiniteLossHook',
    'SkippedSamplesHook',
]
