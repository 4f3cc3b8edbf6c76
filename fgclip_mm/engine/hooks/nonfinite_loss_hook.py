"""Stop the run at a non-finite loss before the optimizer applies it, or
skip that step, counted and reported."""

from typing import Dict, List, Optional, Sequence

import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

__all__ = ['NonFiniteLossError', 'NonFiniteLossHook']

#: At most this many skipped steps are described one by one in the logs.
_MAX_LISTED = 10


class NonFiniteLossError(FloatingPointError):
    """A training step produced a NaN or infinite loss."""


def _is_finite(value) -> bool:
    """True when a loss term (tensor or list of tensors) is all finite."""
    if isinstance(value, torch.Tensor):
        return bool(torch.isfinite(value.detach()).all())
    if isinstance(value, (list, tuple)):
        return all(_is_finite(v) for v in value)
    return True


def _term_value(value) -> str:
    """A short text for a loss term: its value, or its non-finite count."""
    if isinstance(value, (list, tuple)):
        return '[' + ', '.join(_term_value(v) for v in value) + ']'
    value = value.detach()
    if value.numel() == 1:
        return f'{value.item():g}'
    bad = int((~torch.isfinite(value)).sum())
    return f'{bad} of {value.numel()} values non-finite'


def _video_ids(data_samples: Optional[Sequence]) -> List[str]:
    """``video_id`` of every sample of a batch (``'#i'`` when missing)."""
    ids = []
    for i, ds in enumerate(data_samples or []):
        meta = getattr(ds, 'metainfo', {}) or {}
        ids.append(str(meta.get('video_id', meta.get('filename', f'#{i}'))))
    return ids


def _non_finite_inputs(data_batch) -> List[str]:
    """Which samples of a (pseudo-collated) batch carry NaN or inf in their
    float inputs or float data-sample fields (e.g. cached features).

    Returns:
        list[str]: ``"<video id> (<field>)"`` entries.
    """
    if not isinstance(data_batch, dict):
        return []
    samples = data_batch.get('data_samples') or []
    ids = _video_ids(samples)
    inputs = data_batch.get('inputs')
    if isinstance(inputs, torch.Tensor):
        inputs = list(inputs)
    found = []
    for i, item in enumerate(inputs or []):
        if isinstance(item, torch.Tensor) and not _finite_float(item):
            found.append(f'{ids[i] if i < len(ids) else i} (inputs)')
    for video, ds in zip(ids, samples):
        for key, value in ds.items() if hasattr(ds, 'items') else []:
            if isinstance(value, torch.Tensor) and not _finite_float(value):
                found.append(f'{video} ({key})')
    return found


def _length(loader) -> Optional[int]:
    """Batches per epoch, None for a loader without a length."""
    try:
        return len(loader)
    except TypeError:
        return None


def _finite_float(tensor: torch.Tensor) -> bool:
    return not tensor.is_floating_point() or bool(torch.isfinite(tensor).all())


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Check every training loss before the optimizer step.

    mmengine's ``train_step`` (of the model and of the DDP wrapper) runs
    ``parse_losses`` and then ``optim_wrapper.update_params``; no hook is
    called in between. This hook therefore wraps the two methods of the
    model and the optim wrapper instances in ``before_train`` (and restores
    them in ``after_train``): the loss dict is checked after
    ``parse_losses``, before the backward pass and the step, so a fault never
    reaches the weights. It works with any optim wrapper, including
    ``AmpOptimWrapper`` (whose GradScaler still skips steps with infinite
    *gradients* by itself; this hook looks at the loss only).

    ``action='raise'`` (default) raises :class:`NonFiniteLossError` naming
    the epoch, the iteration, the non-finite loss terms, the video ids of
    the batch and the samples whose float inputs (frames, cached features)
    are themselves non-finite. ``action='skip'`` leaves out the backward
    pass and the optimizer step of such a batch; skips are counted, logged
    at the end of every epoch and of the run, and kept in the message hub
    (``nonfinite_skips``, so a resumed run continues the count). With
    gradient accumulation a skipped batch is left out of its window.

    In distributed training the ranks agree (one all-reduce of a flag per
    iteration): when any rank's loss is non-finite every rank raises, or
    every rank skips, so no rank waits for a backward pass that never comes.

    Args:
        action (str): ``'raise'`` or ``'skip'``. Defaults to ``'raise'``.
        max_skips (int, optional): in skip mode, raise once more than this
            many steps of the run were skipped. None: no limit.
    """

    priority = 'VERY_HIGH'

    def __init__(
        self, action: str = 'raise', max_skips: Optional[int] = None
    ) -> None:
        if action not in ('raise', 'skip'):
            raise ValueError(
                f"NonFiniteLossHook action must be 'raise' or 'skip', got "
                f'{action!r}'
            )
        self.action = action
        self.max_skips = max_skips
        self.skipped: List[Dict] = []  # this run's skips
        self.total_skips = 0  # including those of a resumed run
        self._context: Dict = {}
        self._skip_next = False
        self._patched: List = []

    # ------------------------------------------------------------ patching
    def before_train(self, runner) -> None:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        self.total_skips = int(
            runner.message_hub.get_info('nonfinite_skips', 0) or 0
        )
        parse, update = model.parse_losses, runner.optim_wrapper.update_params

        def parse_losses(losses):
            loss, log_vars = parse(losses)
            return self._check(runner, losses, loss, log_vars)

        def update_params(loss, *args, **kwargs):
            if self._skip_next:
                self._skip_next = False
                return None
            return update(loss, *args, **kwargs)

        model.parse_losses = parse_losses
        runner.optim_wrapper.update_params = update_params
        self._patched = [
            (model, 'parse_losses'),
            (runner.optim_wrapper, 'update_params'),
        ]

    def after_train(self, runner) -> None:
        for owner, name in self._patched:
            owner.__dict__.pop(name, None)
        self._patched = []
        if self.action == 'skip':
            runner.logger.info(
                f'NonFiniteLossHook: {len(self.skipped)} training steps '
                'with a non-finite loss were skipped in this run'
                + self._listing(self.skipped)
            )

    # ----------------------------------------------------------- per step
    def before_train_iter(
        self, runner, batch_idx: int, data_batch=None
    ) -> None:
        self._context = dict(
            epoch=runner.epoch + 1,
            iter=runner.iter + 1,
            batch=batch_idx + 1,
            batches=_length(runner.train_dataloader),
            data_batch=data_batch,
        )

    def after_train_iter(
        self, runner, batch_idx: int, data_batch=None, outputs=None
    ) -> None:
        self._context = {}

    def after_train_epoch(self, runner) -> None:
        if self.action != 'skip':
            return
        epoch = runner.epoch + 1
        skips = [s for s in self.skipped if s['epoch'] == epoch]
        runner.logger.info(
            f'NonFiniteLossHook: {len(skips)} training steps with a '
            f'non-finite loss were skipped in epoch {epoch} '
            f'({self.total_skips} in the run)' + self._listing(skips)
        )

    # -------------------------------------------------------------- check
    def _check(self, runner, losses: Dict, loss, log_vars):
        """Raise or mark the step as skipped when the loss is not finite."""
        if not isinstance(loss, torch.Tensor):  # no loss terms at all
            return loss, log_vars
        local_bad = not _is_finite(loss)
        flag = torch.tensor(float(local_bad), device=loss.device)
        all_reduce(flag, op='max')  # a no-op unless distributed
        if not bool(flag):
            return loss, log_vars
        fault = self._describe(losses, local_bad)
        if self.action == 'raise':
            raise NonFiniteLossError(self._message(fault))
        self.skipped.append(fault)
        self.total_skips += 1
        runner.message_hub.update_info('nonfinite_skips', self.total_skips)
        runner.logger.warning(
            'NonFiniteLossHook: skipped the step. ' + self._message(fault)
        )
        if self.max_skips is not None and self.total_skips > self.max_skips:
            raise NonFiniteLossError(
                f'{self.total_skips} steps with a non-finite loss were '
                f'skipped, more than max_skips={self.max_skips}. Last: '
                + self._message(fault)
            )
        self._skip_next = True
        finite_vars = type(log_vars)(
            (k, v) for k, v in log_vars.items() if _is_finite(v)
        )
        return loss, finite_vars

    def _describe(self, losses: Dict, local_bad: bool) -> Dict:
        ctx = self._context
        data_batch = ctx.get('data_batch')
        samples = (
            data_batch.get('data_samples')
            if isinstance(data_batch, dict)
            else None
        )
        return dict(
            epoch=ctx.get('epoch'),
            iter=ctx.get('iter'),
            batch=ctx.get('batch'),
            batches=ctx.get('batches'),
            terms={
                k: _term_value(v)
                for k, v in losses.items()
                if not _is_finite(v)
            },
            local=local_bad,
            videos=_video_ids(samples),
            bad_inputs=_non_finite_inputs(data_batch),
        )

    @staticmethod
    def _message(fault: Dict) -> str:
        where = (
            f'epoch {fault["epoch"]}, iteration {fault["iter"]} (batch '
            f'{fault["batch"]}/{fault["batches"]} of the epoch)'
        )
        if not fault['local']:
            return (
                f"Non-finite loss on another rank at {where}; this rank's "
                f'losses are finite (videos: {", ".join(fault["videos"])}). '
                "See the other rank's error for the terms and videos."
            )
        terms = ', '.join(f'{k}={v}' for k, v in fault['terms'].items())
        text = (
            f'Non-finite loss at {where}: {terms or "total loss"}. '
            f'Videos in the batch: {", ".join(fault["videos"]) or "?"}.'
        )
        if fault['bad_inputs']:
            text += (
                ' Non-finite input values in: '
                + ', '.join(fault['bad_inputs'])
                + '.'
            )
        return text + (
            ' The optimizer step was not applied (the weights are those '
            'after the previous iteration).'
        )

    @staticmethod
    def _listing(skips: List[Dict]) -> str:
        if not skips:
            return '.'
        parts = [
            f'epoch {s["epoch"]} iteration {s["iter"]}: '
            + ', '.join(s['terms'] or ['(other rank)'])
            + f' [{", ".join(s["videos"])}]'
            for s in skips[:_MAX_LISTED]
        ]
        more = len(skips) - _MAX_LISTED
        tail = f'; ... {more} more' if more > 0 else ''
        return ': ' + '; '.join(parts) + tail
