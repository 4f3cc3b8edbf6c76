from .hooks import *  # noqa: F401,F403
from .worker_seed import epoch_worker_init_fn

__all__ = ['epoch_worker_init_fn']
