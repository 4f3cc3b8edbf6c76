"""mmengine ``Runner`` checkpoint functions that check what they load.

``fgclip_mm.compat.atomic_checkpoints`` installs these in place of mmengine
0.10.7's ``save_checkpoint``, ``find_latest_checkpoint``, local checkpoint
loader, ``Runner.resume`` and ``Runner.load_checkpoint``, so MMAction2's
stock scripts behave like ours. The file-level helpers are in
:mod:`fgclip_mm.engine.checkpoints`.
"""

import glob
import logging
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Any, Callable, List, Optional, Sequence, Tuple

from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from .checkpoints import (
    CheckpointError,
    atomic_torch_save,
    load_state_dict_checked,
    read_checkpoint,
    verify_checkpoint_file,
)

__all__ = [
    'find_resumable_checkpoint',
    'read_checkpoint',
    'require_exact_checkpoint',
    'runner_load_checkpoint',
    'runner_resume',
    'save_checkpoint_atomically',
]

#: Checkpoints written by mmengine's ``CheckpointHook`` (default template).
_CKPT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
#: Temporary files left by a killed :func:`atomic_torch_save`.
_TMP_NAME = re.compile(r'\.pth\.\d+\.tmp$')
_RESUME_HINT = (
    'It was written by a different config: resume with the config that '
    'wrote it, or start a new run with load_from=<file> to fine-tune from '
    'its matching weights.'
)


def save_checkpoint_atomically(
    original: Callable,
    checkpoint: dict,
    filename: str,
    file_client_args=None,
    backend_args=None,
) -> None:
    """mmengine's ``save_checkpoint``; local files are written atomically.

    Args:
        original (Callable): mmengine's function, used for remote backends
            (``s3://``, ``pavi://``, custom ``backend_args``).
        checkpoint (dict): What to save.
        filename (str): Target file.
        file_client_args, backend_args: As in mmengine.
    """
    if '://' in str(filename) or file_client_args or backend_args:
        return original(checkpoint, filename, file_client_args, backend_args)
    atomic_torch_save(checkpoint, filename)


def require_exact_checkpoint(runner) -> None:
    """Make ``runner`` refuse a ``load_from`` checkpoint that does not fit.

    mmengine loads ``load_from`` non-strictly (fine-tuning from a partial
    checkpoint). A test run must not silently evaluate half-random weights:
    ``tools/test.py`` calls this. ``--resume`` is always exact.

    Args:
        runner (mmengine.runner.Runner): The runner, before ``test()``.
    """
    runner._fgclip_mm_exact_load = True


def runner_resume(runner, original: Callable, filename: str, *args, **kw):
    """``Runner.resume`` whose checkpoint must fit the model exactly."""
    runner._fgclip_mm_resuming = True
    try:
        return original(runner, filename, *args, **kw)
    finally:
        runner._fgclip_mm_resuming = False


def runner_load_checkpoint(
    runner,
    filename: str,
    map_location: Any = 'cpu',
    strict: bool = False,
    revise_keys: Sequence[Tuple[str, str]] = ((r'^module.', ''),),
) -> dict:
    """mmengine's ``Runner.load_checkpoint`` with a key check naming the file.

    Resuming (or a runner marked by :func:`require_exact_checkpoint`)
    refuses a checkpoint whose keys or shapes differ from the model's;
    ``load_from`` logs the differences with the file name and loads the
    rest, as mmengine does.

    Args:
        runner (mmengine.runner.Runner): The runner.
        filename (str): Checkpoint file or URL.
        map_location: As for :func:`torch.load`.
        strict (bool): mmengine's strict loading.
        revise_keys (Sequence[tuple[str, str]]): ``(pattern, replacement)``
            applied to every key before loading.

    Returns:
        dict: The loaded checkpoint.

    Raises:
        fgclip_mm.engine.checkpoints.CheckpointError: The file is unreadable,
            or must fit exactly and does not.
    """
    from mmengine.runner.checkpoint import _load_checkpoint

    checkpoint = _load_checkpoint(filename, map_location=map_location)
    runner.call_hook('after_load_checkpoint', checkpoint=checkpoint)
    model = runner.model
    if is_model_wrapper(model):
        model = model.module
    weights = checkpoint.get('state_dict', checkpoint)
    metadata = getattr(weights, '_metadata', OrderedDict())
    for pattern, repl in revise_keys:
        weights = OrderedDict(
            (re.sub(pattern, repl, k), v) for k, v in weights.items()
        )
    weights._metadata = metadata
    resuming = getattr(runner, '_fgclip_mm_resuming', False)
    exact = getattr(runner, '_fgclip_mm_exact_load', False)
    load_state_dict_checked(
        model,
        weights,
        filename,
        strict=bool(strict or resuming or exact),
        hint=_RESUME_HINT if resuming else '',
        logger=runner.logger,
    )
    runner._has_loaded = True
    runner.logger.info(f'Load checkpoint from {filename}')
    return checkpoint


def _checkpoints_newest_first(work_dir: str) -> List[str]:
    """``epoch_N.pth`` / ``iter_N.pth`` files of ``work_dir``, newest first."""
    found = []
    for name in os.listdir(work_dir) if osp.isdir(work_dir) else []:
        match = _CKPT_NAME.match(name)
        if match:
            found.append((int(match.group(2)), osp.join(work_dir, name)))
    return [p for _, p in sorted(found, reverse=True)]


def _remove_stale_temporaries(work_dir: str) -> None:
    """Delete ``*.pth.<pid>.tmp`` left by killed saves (main process only:
    every rank resumes, one deletes)."""
    if not is_main_process():
        return
    for tmp in glob.glob(osp.join(glob.escape(work_dir), '*.tmp')):
        if _TMP_NAME.search(tmp):
            print_log(
                f'Removing {tmp}: a checkpoint whose save was interrupted.',
                logger='current',
                level=logging.WARNING,
            )
            try:
                os.remove(tmp)
            except FileNotFoundError:
                pass


def find_resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` (auto) should load, verified.

    Like mmengine's ``find_latest_checkpoint`` (the file named in
    ``<work_dir>/last_checkpoint``), but the file is checked first: if it is
    missing, empty, truncated or damaged, or ``last_checkpoint`` itself is
    empty, the newest intact ``epoch_*.pth`` / ``iter_*.pth`` in
    ``work_dir`` is used instead, with a warning naming the bad file.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str | None: The checkpoint path; None if ``work_dir`` has neither
        ``last_checkpoint`` nor checkpoints (a fresh run).

    Raises:
        CheckpointError: Checkpoints exist but none of them is intact.
    """
    _remove_stale_temporaries(work_dir)
    pointer_file = osp.join(work_dir, 'last_checkpoint')
    named = None
    if osp.isfile(pointer_file):
        with open(pointer_file, errors='replace') as f:
            named = f.read().strip() or None
    if named is not None and '://' in named:
        return named  # a remote out_dir: mmengine's backend reads it
    candidates = _checkpoints_newest_first(work_dir)
    if named is None and not candidates:
        print_log('Did not find last_checkpoint to be resumed.')
        return None
    rejected, seen = [], set()
    for path in ([named] if named else []) + candidates:
        if osp.abspath(path) in seen:
            continue
        seen.add(osp.abspath(path))
        reason = verify_checkpoint_file(path)
        if reason is None:
            break
        rejected.append((path, reason))
    else:
        listed = '; '.join(f'{p}: {r}' for p, r in rejected) or 'none found'
        raise CheckpointError(
            f'--resume found no intact checkpoint in {work_dir} '
            f'({listed}). Remove {pointer_file} to start from scratch.'
        )
    if named is None:
        rejected.insert(0, (pointer_file, 'empty or missing'))
    for bad, reason in rejected:
        print_log(
            f'Not resuming from {bad}: {reason}. Falling back to {path}.',
            logger='current',
            level=logging.WARNING,
        )
    return path
