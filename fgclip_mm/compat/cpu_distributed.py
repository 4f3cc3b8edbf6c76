"""CPU (gloo) process groups under torchrun, and their release at exit."""

import atexit
import sys
from typing import Callable

import torch

NAME = 'mmengine-cpu-gloo-init'


# ----------------------------------------------------------------------------
# mmengine 0.10.7 ``_init_dist_pytorch`` calls ``torch.cuda.set_device``
# unconditionally and MMAction2's runtime asks for NCCL, so ``torchrun``
# on a CPU-only machine fails (no upstream fix as of mmengine 0.10.7).
# On a machine without CUDA we initialise gloo without touching CUDA; the
# DDP wrapper's ``device_ids`` is set to None by
# ``configs/_base_/default_runtime.py``. Remove when mmengine initialises
# CPU process groups itself.
# ----------------------------------------------------------------------------
def apply() -> bool:
    from mmengine.dist import utils as dist_utils

    original: Callable = dist_utils._init_dist_pytorch
    if getattr(original, '_fgclip_mm_patched', False):
        return False

    def _init_dist_pytorch(
        backend: str = 'nccl', init_backend='torch', **kwargs
    ) -> None:
        # registered first so that it runs last, after mmengine's own hooks
        atexit.register(release_process_group)
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
# Neither mmengine 0.10.7's ``Runner`` nor MMAction2's ``tools/train.py``
# destroys the default process group, nor does torch 2.14.1 at exit
# (pytorch/pytorch#190489; the fix pytorch/pytorch#179291 was abandoned).
# The DDP-wrapped model, in the Runner's reference cycles, also holds the
# gloo group, so its threads outlive ``main()`` and are torn down during
# interpreter finalisation, where a rank sometimes aborts ("terminate
# called without an active exception", SIGABRT; torchrun then reports a
# finished run as failed). The init wrapper above registers this handler:
# it destroys the group and collects the cycles, so the backend's threads
# end while the interpreter is whole. Remove when torch or mmengine
# releases the group at exit.
# ----------------------------------------------------------------------------
def release_process_group() -> None:
    """Destroy the default process group and free what still holds it.

    The exit handler, and the last step of
    :func:`fgclip_mm.engine.distributed.shutdown_distributed`.
    """
    import gc

    import torch.distributed as torch_dist

    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()
    # the DDP wrapper in the Runner's reference cycles keeps the group (and
    # its threads) alive until the cycles are collected
    gc.collect()
