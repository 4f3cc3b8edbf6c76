from .checkpoints import (
    CheckpointError,
    StateDictDiff,
    atomic_torch_save,
    checkpoint_file_problem,
    diff_state_dict,
    load_state_dict_checked,
    read_checkpoint,
    verify_checkpoint_file,
)
from .config_checks import ConfigError, check_config
from .distributed import shutdown_distributed
from .hooks import *  # noqa: F401,F403
from .runner_checkpoints import (
    find_resumable_checkpoint,
    require_exact_checkpoint,
)
from .worker_seed import epoch_worker_init_fn

__all__ = [
    'CheckpointError',
    'ConfigError',
    'StateDictDiff',
    'atomic_torch_save',
    'check_config',
    'checkpoint_file_problem',
    'diff_state_dict',
    'epoch_worker_init_fn',
    'find_resumable_checkpoint',
    'load_state_dict_checked',
    'read_checkpoint',
    'require_exact_checkpoint',
    'shutdown_distributed',
    'verify_checkpoint_file',
]
