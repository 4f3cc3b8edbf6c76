"""Checkpoint files that are written atomically and refused with reasons.

* :func:`atomic_torch_save` writes to ``<name>.<pid>.tmp`` and renames, so a
  killed save never leaves a partial file under the final name.
* :func:`read_checkpoint` loads weights-only (see :mod:`fgclip_mm.compat`) and
  turns "truncated / not a checkpoint" into a :class:`CheckpointError` that
  names the file.
* :func:`verify_checkpoint_file` checks a zip-format checkpoint's directory and
  CRCs without unpickling it; ``find_resumable_checkpoint`` uses it to
  skip a damaged newest checkpoint on ``--resume`` (with a warning; see
  :mod:`fgclip_mm.engine.runner_checkpoints`).
* :func:`diff_state_dict` / :func:`load_state_dict_checked` compare a
  checkpoint's keys and shapes with a model's and say which keys differ.

The mmengine functions are replaced by these in
``fgclip_mm.compat.atomic_checkpoints``, so MMAction2's stock scripts get
the same behaviour.
"""

import logging
import os
import os.path as osp
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional, Sequence, Tuple

import torch
from mmengine.logging import print_log

__all__ = [
    'CheckpointError',
    'StateDictDiff',
    'atomic_torch_save',
    'checkpoint_file_problem',
    'diff_state_dict',
    'load_state_dict_checked',
    'read_checkpoint',
    'verify_checkpoint_file',
]


class CheckpointError(RuntimeError):
    """A checkpoint file is unreadable or does not fit the model."""


def atomic_torch_save(obj: Any, path: str) -> None:
    """``torch.save(obj, path)`` that never leaves a partial ``path``.

    The data goes to ``<path>.<pid>.tmp``, is flushed to disk and then
    renamed over ``path`` (atomic on POSIX and Windows). On any error the
    temporary file is removed and ``path`` is untouched.

    Args:
        obj: What to save.
        path (str): Final file name; parent folders are created.
    """
    path = osp.expanduser(path)
    parent = osp.dirname(osp.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = f'{path}.{os.getpid()}.tmp'
    try:
        with open(tmp, 'wb') as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    try:  # make the rename itself durable (best effort, POSIX only)
        fd = os.open(parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def verify_checkpoint_file(path: str) -> Optional[str]:
    """Check a checkpoint file without unpickling it.

    ``torch.save`` writes a zip archive with a CRC per record: a truncated
    file has no central directory, a damaged one fails its CRC (which
    ``torch.load`` itself does not check).

    Args:
        path (str): The file.

    Returns:
        str | None: Why the file is unusable, or None if it looks complete.
    """
    if not osp.isfile(path):
        return 'the file does not exist'
    size = osp.getsize(path)
    if size == 0:
        return 'the file is empty (0 bytes)'
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        return (
            f'not a complete PyTorch checkpoint ({size} bytes; '
            f'probably truncated: {err})'
        )
    if bad is not None:
        return f'record {bad!r} fails its CRC check (the file is damaged)'
    return None


def read_checkpoint(path: str, map_location: Any = 'cpu') -> Any:
    """Load a checkpoint weights-only; unreadable files name themselves.

    Args:
        path (str): Local checkpoint file.
        map_location: As for :func:`torch.load`.

    Returns:
        The loaded object (usually a dict).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        fgclip_mm.compat.UnsafeCheckpointError: The file needs objects
            outside the weights-only allowlist.
        CheckpointError: The file is empty, truncated, damaged or not a
            PyTorch checkpoint.
    """
    from fgclip_mm.compat import UnsafeCheckpointError, load_checkpoint_file

    path = osp.expanduser(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} can not be found.')
    reason = _not_a_checkpoint(path)
    if reason is None:
        try:
            return load_checkpoint_file(path, map_location)
        except UnsafeCheckpointError:
            raise
        except (RuntimeError, EOFError, OSError, ValueError) as err:
            reason = verify_checkpoint_file(path) or (
                f'{type(err).__name__}: {str(err).splitlines()[0]}'
                if str(err)
                else type(err).__name__
            )
    raise CheckpointError(
        f'Cannot read checkpoint {path}: {reason}. A run killed while '
        'saving, an interrupted copy or a file that is not a PyTorch '
        'checkpoint looks like this; use an earlier checkpoint or copy '
        'the file again.'
    )


def checkpoint_file_problem(path: str, crc: bool = True) -> Optional[str]:
    """Why ``path`` is not a usable ``torch.save`` file, without loading it.

    Combines a check of the first bytes with :func:`verify_checkpoint_file`
    for zip archives.

    Args:
        path (str): The file.
        crc (bool): Also check every record's CRC (reads the whole file).

    Returns:
        str | None: The reason, or None if the file looks complete.
    """
    if not osp.isfile(path):
        return 'the file does not exist'
    reason = _not_a_checkpoint(path)
    if reason is None and crc and zipfile.is_zipfile(path):
        reason = verify_checkpoint_file(path)
    return reason


def _not_a_checkpoint(path: str) -> Optional[str]:
    """Why ``path`` cannot be a ``torch.save`` file, from its first bytes.

    ``torch.save`` writes a zip archive (legacy: a pickle starting with
    ``0x80``). Other bytes would reach the weights-only unpickler and be
    reported as a hostile pickle, which is not what they are.
    """
    if zipfile.is_zipfile(path):
        return None
    with open(path, 'rb') as f:
        head = f.read(8)
    if head.startswith(b'\x80'):
        return None  # legacy format: let torch decide
    if not head:
        return 'the file is empty (0 bytes)'
    if head.startswith(b'PK'):
        return verify_checkpoint_file(path)
    return f'not a PyTorch checkpoint (it starts with {head!r})'


@dataclass
class StateDictDiff:
    """How a checkpoint's state dict differs from a model's.

    Attributes:
        missing (list[str]): Keys the model has and the checkpoint lacks.
        unexpected (list[str]): Keys the checkpoint has and the model lacks.
        shape_mismatch (list[tuple]): ``(key, checkpoint_shape,
            model_shape)`` for keys in both with different shapes.
    """

    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    shape_mismatch: List[Tuple[str, tuple, tuple]] = field(
        default_factory=list
    )

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.shape_mismatch)

    def describe(self, limit: int = 10) -> str:
        """One line per kind of difference, the first ``limit`` keys each.

        Args:
            limit (int): Keys listed per kind; the rest are counted.

        Returns:
            str: E.g. ``'2 missing keys: a, b; 1 shape mismatch: w
            (checkpoint (4, 8) vs model (4, 16))'``; '' if nothing differs.
        """
        shapes = [
            f'{k} (checkpoint {tuple(c)} vs model {tuple(m)})'
            for k, c, m in self.shape_mismatch
        ]
        parts = []
        for what, items in (
            ('missing key', self.missing),
            ('unexpected key', self.unexpected),
            ('shape mismatch', shapes),
        ):
            if not items:
                continue
            noun = what + ('es' if what.endswith('ch') else 's')
            head = ', '.join(items[:limit])
            more = len(items) - limit
            tail = f' ... and {more} more' if more > 0 else ''
            label = what if len(items) == 1 else noun
            parts.append(f'{len(items)} {label}: {head}{tail}')
        return '; '.join(parts)


def diff_state_dict(
    expected: Mapping[str, Any],
    loaded: Mapping[str, Any],
    ignore: Sequence[str] = ('num_batches_tracked',),
) -> StateDictDiff:
    """Compare the keys and tensor shapes of two state dicts.

    Args:
        expected (Mapping): The model's ``state_dict()``.
        loaded (Mapping): The checkpoint's state dict.
        ignore (Sequence[str]): Keys containing any of these are skipped
            (mmengine ignores BatchNorm's ``num_batches_tracked``).

    Returns:
        StateDictDiff: Keys sorted; empty if the checkpoint fits.
    """

    def kept(key: str) -> bool:
        return not any(part in key for part in ignore)

    diff = StateDictDiff(
        missing=sorted(k for k in expected if k not in loaded and kept(k)),
        unexpected=sorted(k for k in loaded if k not in expected and kept(k)),
    )
    for key in sorted(set(expected) & set(loaded)):
        want, got = expected[key], loaded[key]
        if not (torch.is_tensor(want) and torch.is_tensor(got)):
            continue
        if want.shape != got.shape:
            diff.shape_mismatch.append(
                (key, tuple(got.shape), tuple(want.shape))
            )
    return diff


def load_state_dict_checked(
    model: torch.nn.Module,
    state_dict: Mapping[str, Any],
    path: str,
    strict: bool = True,
    hint: str = '',
    logger: Optional[logging.Logger] = None,
) -> StateDictDiff:
    """Load ``state_dict`` into ``model`` and say which keys do not fit.

    Tensors whose shape differs from the model's are left out (and listed);
    the rest goes through ``model.load_state_dict(strict=False)``, so the
    model's own ``_load_from_state_dict`` hooks (e.g. renaming keys of older
    checkpoints) run before missing and unexpected keys are counted.

    Args:
        model (nn.Module): The model to load into.
        state_dict (Mapping): The checkpoint's weights (prefixes already
            stripped).
        path (str): The checkpoint file, named in the message.
        strict (bool): Raise on any difference (the model is then partly
            loaded: discard it); else log a warning.
        hint (str): Appended to the message (what to do).
        logger (logging.Logger, optional): Where the warning goes; default
            mmengine's current logger.

    Returns:
        StateDictDiff: The differences (empty if the checkpoint fits).

    Raises:
        CheckpointError: ``strict`` and the checkpoint does not fit.
    """
    shapes = diff_state_dict(model.state_dict(), state_dict).shape_mismatch
    skip = {key for key, _, _ in shapes}
    fitting = OrderedDict(
        (k, v) for k, v in state_dict.items() if k not in skip
    )
    fitting._metadata = getattr(state_dict, '_metadata', OrderedDict())
    name = type(model).__name__
    try:
        result = model.load_state_dict(fitting, strict=False)
    except RuntimeError as err:  # a hook's output still does not fit
        first = str(err).strip().splitlines()[-1].strip()
        raise CheckpointError(
            f'Checkpoint {path} does not fit {name}: {first}'
        ) from None

    def kept(keys: List[str]) -> List[str]:
        return sorted(
            k for k in keys if k not in skip and 'num_batches_tracked' not in k
        )

    diff = StateDictDiff(
        kept(result.missing_keys), kept(result.unexpected_keys), shapes
    )
    if diff:
        what = f'Checkpoint {path} does not fit {name}'
        _report(diff, what, strict, hint, logger)
    return diff


def _report(
    diff: StateDictDiff,
    what: str,
    strict: bool,
    hint: str,
    logger: Optional[logging.Logger],
) -> None:
    """Raise (``strict``) or warn about a non-empty ``diff``."""
    msg = f'{what}: {diff.describe()}.'
    if hint:
        msg += ' ' + hint
    if strict:
        raise CheckpointError(msg)
    print_log(
        msg + ' The other weights were loaded.',
        logger=logger or 'current',
        level=logging.WARNING,
    )
