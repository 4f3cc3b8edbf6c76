"""Ending a distributed run cleanly."""

import torch.distributed as torch_dist

__all__ = ['shutdown_distributed']


def shutdown_distributed() -> None:
    """Wait for every rank, then destroy the default process group.

    Call it once a run has finished without error (``tools/train.py`` and
    ``tools/test.py`` do). A rank that tears its connections down while
    another still has collective work in flight (gathering test results,
    the last checkpoint) can make that rank abort at exit; the barrier
    makes every rank leave together. Without a process group it does
    nothing. After an error no rank calls it: the exit handler in
    :mod:`fgclip_mm.compat` (section 3b) destroys the group without waiting.
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    try:
        torch_dist.barrier()
    finally:
        torch_dist.destroy_process_group()
