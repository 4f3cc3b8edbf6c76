"""Atomic checkpoint saves and verified resuming for mmengine's Runner."""

import functools
from typing import Callable

NAME = 'mmengine-atomic-checkpoints'


# ----------------------------------------------------------------------------
# mmengine 0.10.7 writes checkpoints in place (``LocalBackend.put`` opens
# the final name for writing), writes ``last_checkpoint`` after it, and
# ``--resume`` loads whatever that file names, unchecked. A run killed
# while saving leaves a truncated ``epoch_N.pth`` (and, a moment later, an
# empty ``last_checkpoint``, with which ``--resume`` fails); a copied or
# damaged file fails with "PytorchStreamReader failed ..." without its
# name, or loads (torch does not check CRCs). It also resumes from a
# checkpoint of another config non-strictly (shape mismatches are only
# logged) and then fails deep inside the optimizer. No upstream issue
# found (searched open-mmlab/mmengine issues for atomic checkpoint saves,
# 2026-12). We (a) save local checkpoints atomically (temporary name +
# rename), (b) verify the checkpoint ``--resume`` picks and fall back to
# the newest intact one with a warning, (c) name the file for unreadable
# checkpoints and (d) say which keys differ, refusing on resume (see
# ``fgclip_mm.engine.checkpoints``). Remove when mmengine saves
# atomically and checks resumed state dicts itself.
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


def apply() -> bool:
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
