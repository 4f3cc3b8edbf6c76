"""Ending a distributed run cleanly."""

import torch.distributed as torch_dist

from ..compat import release_process_group

__all__ = ['shutdown_distributed']


def shutdown_distributed() -> None:
    """Wait for every rank, destroy the default process group, free it.

    Call it once a run has finished without error and the caller has
    dropped its Runner (``tools/train.py`` and ``tools/test.py`` do). A rank
    that tears its connections down while another still has collective
    work in flight (gathering test results, the last checkpoint) can make
    that rank abort at exit; the barrier makes every rank leave together.
    The DDP-wrapped model holds the group too, so the reference cycles it
    sits in are collected: the backend's threads then end here, not during
    interpreter finalisation, where they can abort the rank
    (:mod:`fgclip_mm.compat.cpu_distributed`). Without a process group it
    does nothing. After an error no rank calls it: the exit handler of that
    module destroys the group without waiting.
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    try:
        torch_dist.barrier()
    finally:
        release_process_group()
