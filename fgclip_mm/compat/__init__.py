"""Workarounds for defects of the third-party packages fgclip_mm is pinned to.

Every workaround lives in this package, one module per defect, each naming
the upstream issue and the condition under which it can be deleted, and
each with ``NAME`` and an idempotent ``apply() -> bool`` (True when it
changed something). :func:`apply_all` runs them once when ``fgclip_mm`` is
imported, so they also take effect when a config's ``custom_imports``
imports the plugin inside MMAction2's stock scripts.

* :mod:`.missing_drn`: the mmaction2 1.2.0 wheel lacks ``drn``;
* :mod:`.weights_only_checkpoints`: mmengine 0.10.7 checkpoints under
  torch >= 2.6 weights-only loading;
* :mod:`.cpu_distributed`: gloo init without CUDA, and the process group
  released before the interpreter finalises;
* :mod:`.vindlu_transformers5`: mmaction2's VindLU with transformers 5;
* :mod:`.atomic_checkpoints`: atomic saves and verified ``--resume``.

The drn and VindLU patches act only where their defect is present (the
folder is missing; transformers >= 5 is installed). The other patches
replace mmengine 0.10.7 functions (the checkpoint loader, the CPU
process-group init, checkpoint saving and resuming) with versions that
behave the same wherever the originals worked (local files that unpickle
weights-only; machines with CUDA; intact checkpoints of the same model), so
they are applied unconditionally.
"""

from typing import List

from . import (
    atomic_checkpoints,
    cpu_distributed,
    missing_drn,
    vindlu_transformers5,
    weights_only_checkpoints,
)
from .cpu_distributed import release_process_group
from .weights_only_checkpoints import (
    UNSAFE_LOAD_ENV,
    UnsafeCheckpointError,
    load_checkpoint_file,
    mmengine_checkpoint_globals,
)

__all__ = [
    'UNSAFE_LOAD_ENV',
    'UnsafeCheckpointError',
    'applied_workarounds',
    'apply_all',
    'load_checkpoint_file',
    'mmengine_checkpoint_globals',
    'release_process_group',
]

#: In the order they must be applied (drn before ``mmaction.models`` is
#: imported).
WORKAROUNDS = (
    missing_drn,
    weights_only_checkpoints,
    cpu_distributed,
    vindlu_transformers5,
    atomic_checkpoints,
)

_APPLIED: List[str] = []


def apply_all() -> List[str]:
    """Apply every workaround whose defect is present.

    Returns:
        list[str]: Names of the workarounds applied by this call.
    """
    applied = [w.NAME for w in WORKAROUNDS if w.apply()]
    _APPLIED.extend(applied)
    return applied


def applied_workarounds() -> List[str]:
    """Names of the workarounds applied in this process so far."""
    return list(_APPLIED)
