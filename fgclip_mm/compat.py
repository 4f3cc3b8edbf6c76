"""Workarounds for defects of the third-party packages fgclip_mm is pinned to.

Every workaround lives here, is applied once by :func:`apply_all` (called when
``fgclip_mm`` is imported, so it also takes effect when a config's
``custom_imports`` imports the plugin inside MMAction2's stock scripts), and
names the upstream issue and the condition under which it can be deleted.

Each patch is idempotent. The drn and VindLU patches act only where their
defect is present (the folder is missing; transformers >= 5 is installed). The
other patches replace mmengine 0.10.7 functions (the checkpoint loader, the
CPU process-group init, checkpoint saving and resuming) with versions that
behave the same wherever the originals worked (local files that unpickle
weights-only; machines with CUDA; intact checkpoints of the same model), so
they are applied unconditionally.
"""

import atexit
import functools
import importlib.util
import os
import pickle
import sys
import types
from typing import Callable, List

import torch

#: Set this environment variable to ``1`` to load checkpoints whose
#: unpickling may run arbitrary code (``torch.load(weights_only=False)``).
#: Only do so for files you trust.
UNSAFE_LOAD_ENV = 'FGCLIP_MM_ALLOW_UNSAFE_CHECKPOINT'

_APPLIED: List[str] = []


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint needs objects outside the weights-only allowlist."""


# ----------------------------------------------------------------------------
# 1. mmaction2 1.2.0 wheel/sdist lacks ``mmaction/models/localizers/drn``
#    (open-mmlab/mmaction2#2714: "No module named
#    'mmaction.models.localizers.drn'"). ``mmaction.models.localizers`` imports
#    ``from .drn.drn import DRN`` and so ``import mmaction.models`` fails.
#    Remove when a mmaction2 release ships the folder (or the pin moves
#    past 1.2.0).
# ----------------------------------------------------------------------------
def _missing_drn_stub() -> bool:
    """Install an empty ``drn`` localizer package when the wheel lacks it.

    The stub's ``DRN`` raises on construction with a message saying why, so a
    user who really configures DRN learns what is missing instead of getting a
    silent no-op.
    """
    if 'mmaction.models.localizers.drn.drn' in sys.modules:
        return False
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    drn_dir = os.path.join(
        spec.submodule_search_locations[0], 'models', 'localizers', 'drn'
    )
    if os.path.isdir(drn_dir):
        return False

    class DRN(torch.nn.Module):
        """Placeholder: DRN's source is missing from the mmaction2 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'mmaction2 1.2.0 from PyPI ships without '
                'mmaction/models/localizers/drn (open-mmlab/mmaction2#2714); '
                'install mmaction2 from source to use the DRN localizer.'
            )

    pkg = types.ModuleType('mmaction.models.localizers.drn')
    pkg.__path__ = []  # a package, so ``from .drn.drn import`` resolves
    mod = types.ModuleType('mmaction.models.localizers.drn.drn')
    mod.DRN = DRN
    pkg.drn = mod
    sys.modules[pkg.__name__] = pkg
    sys.modules[mod.__name__] = mod
    return True


# ----------------------------------------------------------------------------
# 2. mmengine 0.10.7 calls ``torch.load(filename)`` without
#    ``weights_only``; since torch 2.6 that means weights-only loading, which
#    rejects mmengine's own checkpoints (HistoryBuffer and numpy objects in
#    ``message_hub``/``meta``), so ``--resume``, ``load_from`` and
#    ``tools/test.py CKPT`` all fail. Fixed upstream by
#    open-mmlab/mmengine#1670 (merged, unreleased). Remove when the pin moves
#    to an mmengine release that contains it. We keep weights-only loading
#    and allowlist exactly the types mmengine writes; anything else is
#    refused unless the user opts in with FGCLIP_MM_ALLOW_UNSAFE_CHECKPOINT=1.
# ----------------------------------------------------------------------------
def _history_buffer_getattr(obj, name: str):
    """Stand-in for ``builtins.getattr`` inside checkpoints.

    mmengine pickles ``HistoryBuffer``'s statistics methods as
    ``getattr(HistoryBuffer, 'mean')``. Allowing the real ``getattr`` would let
    a file walk from any allowed object to arbitrary ones (``getattr(getattr,
    '__self__')`` is the builtins module), so only public callables of
    ``HistoryBuffer`` itself are reachable.
    """
    from mmengine.logging.history_buffer import HistoryBuffer

    if (
        obj is HistoryBuffer
        and isinstance(name, str)
        and not name.startswith('_')
        and callable(getattr(HistoryBuffer, name, None))
    ):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint'
    )


def mmengine_checkpoint_globals() -> list:
    """Return the globals an mmengine checkpoint needs beyond torch's defaults.

    Measured with ``torch.serialization.get_unsafe_globals_in_checkpoint`` on
    checkpoints written by mmengine 0.10.7 with numpy 2. ``builtins.getattr``
    is mapped to :func:`_history_buffer_getattr`.
    """
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer

    core = getattr(np, '_core', None) or np.core
    allowed = [
        HistoryBuffer,
        np.dtype,
        np.ndarray,
        core.multiarray._reconstruct,
        core.multiarray.scalar,
        (_history_buffer_getattr, 'builtins.getattr'),
    ]
    # numpy >= 1.25 pickles dtypes through their classes (Float64DType, ...)
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [
            getattr(dtypes, name)
            for name in dir(dtypes)
            if name.endswith('DType')
            and isinstance(getattr(dtypes, name), type)
        ]
    return allowed


def _unpickling_reason(err: Exception) -> str:
    """The informative part of torch's weights-only error (no banner)."""
    banner = (
        'Weights only load failed',
        'Check the documentation',
        'Please file an issue',
    )
    lines = [
        ln.strip()
        for ln in str(err).splitlines()
        if ln.strip() and not ln.strip().startswith(banner)
    ]
    return ' '.join(lines[:2]) if lines else type(err).__name__


def load_checkpoint_file(filename: str, map_location=None):
    """Load a checkpoint file with weights-only unpickling.

    Args:
        filename (str): Path of the checkpoint.
        map_location: Same as :func:`torch.load`.

    Returns:
        The loaded object (usually a dict).

    Raises:
        UnsafeCheckpointError: If the file needs globals outside the
            allowlist and the user has not set
            ``FGCLIP_MM_ALLOW_UNSAFE_CHECKPOINT=1``.
    """
    if os.environ.get(UNSAFE_LOAD_ENV, '') == '1':
        return torch.load(
            filename, map_location=map_location, weights_only=False
        )
    with torch.serialization.safe_globals(mmengine_checkpoint_globals()):
        try:
            return torch.load(
                filename, map_location=map_location, weights_only=True
            )
        except pickle.UnpicklingError as err:
            raise UnsafeCheckpointError(
                f'Refused to load checkpoint {filename!r}: unpickling it '
                'needs '
                'objects outside the weights-only allowlist '
                f'({_unpickling_reason(err)}). '
                'This is how a checkpoint that runs code on load looks. '
                'If you '
                f'trust the file, set {UNSAFE_LOAD_ENV}=1 to load it with '
                'weights_only=False.'
            ) from None


def _weights_only_mmengine_loader() -> bool:
    from mmengine.runner import checkpoint as ckpt_mod

    loader = ckpt_mod.CheckpointLoader._schemes.get('')
    if getattr(loader, '_fgclip_mm_patched', False):
        return False

    def load_from_local(filename, map_location):
        filename = os.path.expanduser(filename)
        if not os.path.isfile(filename):
            raise FileNotFoundError(f'{filename} can not be found.')
        return load_checkpoint_file(filename, map_location)

    load_from_local._fgclip_mm_patched = True
    ckpt_mod.CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True
    )
    return True


# ----------------------------------------------------------------------------
# 3. mmengine 0.10.7 ``_init_dist_pytorch`` calls ``torch.cuda.set_device``
#    unconditionally and MMAction2's runtime asks for NCCL, so ``torchrun``
#    on a CPU-only machine fails (no upstream fix as of mmengine 0.10.7).
#    On a machine without CUDA we initialise gloo without touching CUDA; the
#    DDP wrapper's ``device_ids`` is set to None by
#    ``configs/_base_/default_runtime.py``. Remove when mmengine initialises
#    CPU process groups itself.
# ----------------------------------------------------------------------------
def _cpu_gloo_init_dist() -> bool:
    from mmengine.dist import utils as dist_utils

    original: Callable = dist_utils._init_dist_pytorch
    if getattr(original, '_fgclip_mm_patched', False):
        return False

    def _init_dist_pytorch(
        backend: str = 'nccl', init_backend='torch', **kwargs
    ) -> None:
        # registered first so that it runs last, after mmengine's own hooks
        atexit.register(destroy_process_group_at_exit)
        if torch.cuda.is_available() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        import torch.distributed as torch_dist

        if backend != 'gloo':
            print(
                f'[fgclip_mm] no CUDA device: using the gloo backend '
                f'instead of {backend!r}',
                file=sys.stderr,
            )
        torch_dist.init_process_group(backend='gloo', **kwargs)

    _init_dist_pytorch._fgclip_mm_patched = True
    dist_utils._init_dist_pytorch = _init_dist_pytorch
    return True


# ----------------------------------------------------------------------------
# 3b. Neither mmengine 0.10.7's ``Runner`` nor MMAction2's ``tools/train.py``
#    destroys the default process group, nor does torch 2.14.1 at exit
#    (pytorch/pytorch#190489; the fix pytorch/pytorch#179291 was abandoned).
#    The DDP-wrapped model, in the Runner's reference cycles, also holds the
#    gloo group, so its threads outlive ``main()`` and are torn down during
#    interpreter finalisation, where a rank sometimes aborts ("terminate
#    called without an active exception", SIGABRT; torchrun then reports a
#    finished run as failed). The init wrapper above registers this handler:
#    it destroys the group and collects the cycles, so the backend's threads
#    end while the interpreter is whole. Remove when torch or mmengine
#    releases the group at exit.
# ----------------------------------------------------------------------------
def destroy_process_group_at_exit() -> None:
    """Destroy the default process group and free what still holds it."""
    import gc

    import torch.distributed as torch_dist

    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()
    # the DDP wrapper in the Runner's reference cycles keeps the group (and
    # its threads) alive until the cycles are collected
    gc.collect()


# ----------------------------------------------------------------------------
# 4. mmaction2 1.2.0 enables its VindLU multimodal models whenever
#    ``transformers>=4.28`` is installed, but VindLU imports helpers that
#    transformers 5 removed (``find_pruneable_heads_and_indices`` ...), so with
#    transformers 5 installed ``import mmaction.models`` fails. We register
#    MMAction2's own placeholders instead (VindLU then says it is unavailable).
#    Remove when mmaction2 pins or fixes its transformers dependency.
# ----------------------------------------------------------------------------
def _vindlu_with_transformers5() -> bool:
    if 'mmaction.models' in sys.modules:
        return (
            False  # too late to change; the import already succeeded or failed
        )
    if importlib.util.find_spec('transformers') is None:
        return False
    from mmaction.utils import dependency

    if not dependency.WITH_MULTIMODAL:
        return False
    # read the version from metadata: importing transformers costs seconds
    from importlib.metadata import version

    if int(version('transformers').split('.')[0]) < 5:
        return False
    dependency.WITH_MULTIMODAL = False
    return True


# ----------------------------------------------------------------------------
# 5. mmengine 0.10.7 writes checkpoints in place (``LocalBackend.put`` opens
#    the final name for writing), writes ``last_checkpoint`` after it, and
#    ``--resume`` loads whatever that file names, unchecked. A run killed
#    while saving leaves a truncated ``epoch_N.pth`` (and, a moment later, an
#    empty ``last_checkpoint``, with which ``--resume`` fails); a copied or
#    damaged file fails with "PytorchStreamReader failed ..." without its
#    name, or loads (torch does not check CRCs). It also resumes from a
#    checkpoint of another config non-strictly (shape mismatches are only
#    logged) and then fails deep inside the optimizer. No upstream issue
#    found (searched open-mmlab/mmengine issues for atomic checkpoint saves,
#    2026-12). We (a) save local checkpoints atomically (temporary name +
#    rename), (b) verify the checkpoint ``--resume`` picks and fall back to
#    the newest intact one with a warning, (c) name the file for unreadable
#    checkpoints and (d) say which keys differ, refusing on resume (see
#    ``fgclip_mm.engine.checkpoints``). Remove when mmengine saves
#    atomically and checks resumed state dicts itself.
# ----------------------------------------------------------------------------
def _engine(name: str) -> Callable:
    """A function calling ``fgclip_mm.engine.runner_checkpoints.<name>``.

    Imported on first call: ``fgclip_mm.engine`` is not importable yet when
    :func:`apply_all` runs.
    """

    def call(*args, **kwargs):
        from fgclip_mm.engine import runner_checkpoints

        return getattr(runner_checkpoints, name)(*args, **kwargs)

    call.__name__ = name
    call._fgclip_mm_patched = True
    return call


def _atomic_checkpoints_and_verified_resume() -> bool:
    import mmengine.runner as runner_pkg
    from mmengine.runner import checkpoint as ckpt_mod
    from mmengine.runner import runner as runner_mod

    if getattr(runner_mod, '_fgclip_mm_patched', False):
        return False
    runner_mod._fgclip_mm_patched = True
    save = functools.partial(
        _engine('save_checkpoint_atomically'), ckpt_mod.save_checkpoint
    )
    for mod in (ckpt_mod, runner_mod, runner_pkg):
        mod.save_checkpoint = save
    runner_mod.find_latest_checkpoint = _engine('find_resumable_checkpoint')
    ckpt_mod.CheckpointLoader.register_scheme(
        prefixes='', loader=_engine('read_checkpoint'), force=True
    )
    runner = runner_mod.Runner
    runner.resume = functools.partialmethod(
        _engine('runner_resume'), runner.resume
    )
    runner.load_checkpoint = _engine('runner_load_checkpoint')
    return True


def apply_all() -> List[str]:
    """Apply every workaround whose defect is present.

    Returns:
        list[str]: Names of the workarounds applied by this call.
    """
    applied = []
    for name, patch in (
        ('mmaction2-missing-drn', _missing_drn_stub),
        ('mmengine-weights-only-checkpoints', _weights_only_mmengine_loader),
        ('mmengine-cpu-gloo-init', _cpu_gloo_init_dist),
        ('mmaction2-vindlu-transformers5', _vindlu_with_transformers5),
        (
            'mmengine-atomic-checkpoints',
            _atomic_checkpoints_and_verified_resume,
        ),
    ):
        if patch():
            applied.append(name)
    _APPLIED.extend(applied)
    return applied


def applied_workarounds() -> List[str]:
    """Names of the workarounds applied in this process so far."""
    return list(_APPLIED)
