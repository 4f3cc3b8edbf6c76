from .epoch_seed_hook import EpochSeedHook, epoch_seed
from .run_stats_hook import RunStatsHook, count_parameters, peak_rss_mb

__all__ = [
    'EpochSeedHook',
    'epoch_seed',
    'RunStatsHook',
    'count_parameters',
    'peak_rss_mb',
]
