from .epoch_seed_hook import EpochSeedHook, epoch_seed

__all__ = ['EpochSeedHook', 'epoch_seed']
