"""Weights-only loading of mmengine checkpoints under torch >= 2.6."""

import os
import pickle

import torch

NAME = 'mmengine-weights-only-checkpoints'

#: Set this environment variable to ``1`` to load checkpoints whose
#: unpickling may run arbitrary code (``torch.load(weights_only=False)``).
#: Only do so for files you trust.
UNSAFE_LOAD_ENV = 'FGCLIP_MM_ALLOW_UNSAFE_CHECKPOINT'


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint needs objects outside the weights-only allowlist."""


# ----------------------------------------------------------------------------
# mmengine 0.10.7 calls ``torch.load(filename)`` without
# ``weights_only``; since torch 2.6 that means weights-only loading, which
# rejects mmengine's own checkpoints (HistoryBuffer and numpy objects in
# ``message_hub``/``meta``), so ``--resume``, ``load_from`` and
# ``tools/test.py CKPT`` all fail. Fixed upstream by
# open-mmlab/mmengine#1670 (merged, unreleased). Remove when the pin moves
# to an mmengine release that contains it. We keep weights-only loading
# and allowlist exactly the types mmengine writes; anything else is
# refused unless the user opts in with FGCLIP_MM_ALLOW_UNSAFE_CHECKPOINT=1.
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


def apply() -> bool:
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
