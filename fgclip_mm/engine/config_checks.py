"""Config mistakes found before anything is built: unknown keys, wrong
argument types, class-name typos in ``metainfo`` and missing data files,
each named by its key path (``model.region_head.roi_sise``)."""

import difflib
import inspect
import os.path as osp
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Dict, List, Optional, Set

from mmaction import registry as R
from mmengine.registry import FUNCTIONS, Registry
from mmengine.utils import import_modules_from_strings
from torch.utils.data import DataLoader

from ..annotations import (
    EQUIVALENT_CLASSES,
    MSAD_CLASSES,
    SHANGHAITECH_CLASSES,
    UCF_CRIME_CLASSES,
    XD_VIOLENCE_CLASSES,
    is_normal_class,
)

__all__ = ['ConfigError', 'check_config', 'find_config_problems']

#: Registry of a typed dict, by the key it sits under (anywhere).
_KEY_REGISTRIES = dict(
    model=R.MODELS,
    dataset=R.DATASETS,
    datasets=R.DATASETS,
    pipeline=R.TRANSFORMS,
    transforms=R.TRANSFORMS,
    sampler=R.DATA_SAMPLERS,
    batch_sampler=R.DATA_SAMPLERS,
    # mmaction's FUNCTION registry imports a module that does not exist
    # ('mmaction.mmengine'); the Runner looks functions up in mmengine's
    collate_fn=FUNCTIONS,
    worker_init_fn=FUNCTIONS,
    val_evaluator=R.METRICS,
    test_evaluator=R.METRICS,
    metrics=R.METRICS,
    default_hooks=R.HOOKS,
    custom_hooks=R.HOOKS,
    optim_wrapper=R.OPTIM_WRAPPERS,
    optimizer=R.OPTIMIZERS,
    param_scheduler=R.PARAM_SCHEDULERS,
    visualizer=R.VISUALIZERS,
    vis_backends=R.VISBACKENDS,
    model_wrapper_cfg=R.MODEL_WRAPPERS,
    log_processor=R.LOG_PROCESSORS,
    init_cfg=R.WEIGHT_INITIALIZERS,
)
#: Registries of top-level keys only (``train_cfg`` inside a model is not a
#: loop).
_ROOT_REGISTRIES = dict(train_cfg=R.LOOPS, val_cfg=R.LOOPS, test_cfg=R.LOOPS)
#: Keys the builders consume before calling the class.
_BUILDER_KEYS = {
    'optim_wrapper': {'paramwise_cfg', 'constructor'},
    'parameter scheduler': {'convert_to_iter_based'},
    'hook': {'priority'},
}
#: Loader configs: the Runner passes their keys to torch's DataLoader.
_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
_SIMPLE_TYPES = (bool, int, float, str)
_UNCHECKED = object()
#: Class names of the benchmarks (a near miss of one of them is a typo).
_KNOWN_CLASSES = {
    name
    for table in (
        UCF_CRIME_CLASSES,
        XD_VIOLENCE_CLASSES,
        SHANGHAITECH_CLASSES,
        MSAD_CLASSES,
        *EQUIVALENT_CLASSES,
    )
    for name in table
}


class ConfigError(ValueError):
    """Mistakes in a config, each naming its key path or file.

    Args:
        problems (list[str]): one line per mistake.
    """

    def __init__(self, problems: List[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            f'{len(self.problems)} problem(s) in the config:\n'
            + '\n'.join(f'  - {p}' for p in self.problems)
        )


def check_config(cfg, mode: str = 'train', check_paths: bool = True) -> None:
    """Raise :class:`ConfigError` listing every mistake found in ``cfg``.

    Args:
        cfg (Config | dict): the merged config (after ``--cfg-options``).
        mode (str): ``'train'`` checks the files of the train (and, when
            validating, val) loaders; ``'test'`` those of the test loader.
        check_paths (bool): check that data files and folders exist.

    Raises:
        ConfigError: with one line per mistake.
    """
    problems = find_config_problems(cfg, mode, check_paths)
    if problems:
        raise ConfigError(problems)


def find_config_problems(
    cfg, mode: str = 'train', check_paths: bool = True
) -> List[str]:
    """The mistakes :func:`check_config` raises on, as a list of lines."""
    if mode not in ('train', 'test'):
        raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
    imports = cfg.get('custom_imports', None)
    if imports:
        import_modules_from_strings(**imports)
    problems: List[str] = []
    for key, value in cfg.items():
        registry = _ROOT_REGISTRIES.get(key, _KEY_REGISTRIES.get(key))
        if key in _LOADERS and isinstance(value, Mapping):
            _check_args(value, key, DataLoader, set(), problems)
        if key == 'default_hooks' and isinstance(value, Mapping):
            # name -> hook config: the names are not registry keys
            for name, hook in value.items():
                _walk(hook, f'{key}.{name}', registry, problems)
            continue
        _walk(value, key, registry, problems)
    if check_paths:
        problems += _missing_paths(cfg, mode)
    return problems


# ----------------------------------------------------------------- walking
def _walk(node: Any, path: str, registry, problems: List[str]) -> None:
    """Check every typed dict under ``node`` (key path ``path``)."""
    if isinstance(node, Mapping):
        if 'type' in node and registry is not None:
            _check_typed(node, path, registry, problems)
        for key, value in node.items():
            child = _KEY_REGISTRIES.get(key, registry)
            _walk(value, f'{path}.{key}', child, problems)
        if registry is R.DATASETS and isinstance(
            node.get('metainfo'), Mapping
        ):
            problems += _class_name_problems(node['metainfo'], path)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            _walk(value, f'{path}[{i}]', registry, problems)


def _resolve(node: Mapping, registry: Registry):
    """The class or function of a typed dict; None when unknown."""
    kind = node['type']
    if not isinstance(kind, str):
        return kind
    try:
        return registry.get(kind)
    except Exception:  # a registry that fails to look up: do not judge
        return _UNCHECKED


def _check_typed(
    node: Mapping, path: str, registry: Registry, problems: List[str]
) -> None:
    """Unknown type, unknown keys and wrongly typed values of one dict."""
    target = _resolve(node, registry)
    if target is _UNCHECKED:
        return
    if target is None:
        close = difflib.get_close_matches(
            str(node['type']), list(registry.module_dict), n=1
        )
        hint = f" (did you mean '{close[0]}'?)" if close else ''
        problems.append(
            f"{path}.type: unknown {registry.name} type '{node['type']}'"
            + hint
        )
        return
    extra = _BUILDER_KEYS.get(registry.name, set())
    _check_args(node, path, target, extra, problems)


def _check_args(
    node: Mapping, path: str, target, extra: Set[str], problems: List[str]
) -> None:
    """Keys of ``node`` that ``target`` does not take, or whose values do
    not fit its type hints."""
    accepted = _accepted_args(target)
    name = getattr(target, '__name__', str(target))
    if accepted is not None:
        allowed = accepted | extra | {'type', '_scope_'}
        for key in node:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(accepted), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ''
                problems.append(
                    f'{path}.{key}: unknown argument of {name}{hint}; it '
                    f'takes {", ".join(sorted(accepted))}'
                )
    hints = _type_hints(target)
    for key, value in node.items():
        if key in hints and not _matches(value, hints[key]):
            problems.append(
                f'{path}.{key}: {name} expects {_hint_text(hints[key])}, got '
                f'{type(value).__name__} {value!r}'
            )


# -------------------------------------------------------------- signatures
def _params(func) -> Optional[List[inspect.Parameter]]:
    try:
        return list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return None


def _accepted_args(target) -> Optional[Set[str]]:
    """Keyword arguments ``target`` accepts, or None when it takes any.

    A class whose ``__init__`` forwards ``**kwargs`` is followed up its
    MRO to the first ``__init__`` without ``**kwargs``.
    """
    if not inspect.isclass(target):
        params = _params(target)
        if params is None or any(p.kind == p.VAR_KEYWORD for p in params):
            return None
        return {p.name for p in params}
    names: Set[str] = set()
    for klass in target.__mro__:
        if klass is object:
            return None
        if '__init__' not in klass.__dict__:
            continue
        params = _params(klass.__dict__['__init__'])
        if params is None:
            return None
        names |= {p.name for p in params[1:] if p.kind != p.VAR_KEYWORD}
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names
    return None


def _type_hints(target) -> Dict[str, Any]:
    func = target.__init__ if inspect.isclass(target) else target
    try:
        return typing.get_type_hints(func)
    except Exception:  # an unresolvable forward reference somewhere
        pass
    hints = {}  # then parameter by parameter
    for param in _params(func) or []:
        hint = param.annotation
        if isinstance(hint, str):
            try:
                hint = eval(hint, getattr(func, '__globals__', {}))
            except Exception:
                continue
        if hint is not param.empty:
            hints[param.name] = hint
    return hints


def _matches(value: Any, hint: Any) -> bool:
    """Whether ``value`` fits ``hint``, judged only for bool / int / float
    / str and containers or unions of them (anything else fits; None always
    fits: ``x: int = None`` is common)."""
    if value is None or hint is Any:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, a) for a in args if a is not type(None))
    if hint is float:
        return isinstance(value, (int, float))
    if hint in _SIMPLE_TYPES:
        return isinstance(value, hint)
    if origin in (list, tuple, Sequence) or hint in (list, tuple):
        if origin is Sequence and isinstance(value, str):
            return True
        if not isinstance(value, (list, tuple)):
            return not _is_simple(value)  # e.g. a dict config is built
        if args and (len(args) == 1 or args[1] is ...):
            return all(_matches(v, args[0]) for v in value)
        return True
    if origin in (dict, Mapping) or hint is dict:
        return isinstance(value, Mapping) or not _is_simple(value)
    return True


def _is_simple(value: Any) -> bool:
    return isinstance(value, _SIMPLE_TYPES)


def _hint_text(hint: Any) -> str:
    """``int``, ``int or tuple[int, int]``, ... for messages."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return ' or '.join(_hint_text(a) for a in args if a is not type(None))
    text = getattr(hint, '__name__', None) or str(hint)
    return text.replace('typing.', '')


# ---------------------------------------------------------- class names
def _class_name_problems(metainfo: Mapping, path: str) -> List[str]:
    """Near misses of a benchmark class name in ``metainfo.classes``."""
    classes = metainfo.get('classes')
    if isinstance(classes, str) or not isinstance(classes, (list, tuple)):
        return []
    known_lower = {c.lower() for c in _KNOWN_CLASSES}
    problems = []
    for i, name in enumerate(classes):
        if not isinstance(name, str):
            continue
        if name.lower() in known_lower or is_normal_class(name):
            continue
        close = difflib.get_close_matches(
            name, sorted(_KNOWN_CLASSES), n=1, cutoff=0.8
        )
        if close:
            problems.append(
                f"{path}.metainfo.classes[{i}]: unknown class '{name}' (did "
                f"you mean '{close[0]}'?)"
            )
    return problems


# ------------------------------------------------------------------- files
def _loaders(cfg, mode: str) -> List[str]:
    if mode == 'test':
        return ['test_dataloader']
    names = ['train_dataloader']
    if cfg.get('val_cfg', None) and cfg.get('val_evaluator', None):
        names.append('val_dataloader')
    return names


def _missing_paths(cfg, mode: str) -> List[str]:
    """Data files and folders of the loaders ``mode`` uses that do not
    exist, and a missing ``load_from``."""
    problems = []
    for name in _loaders(cfg, mode):
        loader = cfg.get(name, None)
        if isinstance(loader, Mapping) and loader.get('dataset'):
            _dataset_paths(loader['dataset'], f'{name}.dataset', problems)
    load_from = cfg.get('load_from', None)
    if (
        isinstance(load_from, str)
        and '://' not in load_from
        and not osp.isfile(load_from)
    ):
        problems.append(f'load_from: no such file: {load_from}')
    return problems


def _dataset_paths(node: Mapping, path: str, problems: List[str]) -> None:
    """``ann_file``, ``*_file`` and ``data_prefix`` entries of a dataset
    config (and of wrapped datasets), resolved against ``data_root`` like
    mmengine's ``BaseDataset``."""
    for key in ('dataset', 'datasets'):
        inner = node.get(key)
        for i, sub in enumerate(
            inner if isinstance(inner, (list, tuple)) else [inner]
        ):
            if isinstance(sub, Mapping):
                suffix = f'[{i}]' if isinstance(inner, (list, tuple)) else ''
                _dataset_paths(sub, f'{path}.{key}{suffix}', problems)
    root = node.get('data_root') or ''
    entries = [
        (f'{path}.{key}', value, osp.isfile, 'file')
        for key, value in node.items()
        if key == 'ann_file' or key.endswith('_file')
    ]
    prefix = node.get('data_prefix')
    if isinstance(prefix, Mapping):
        entries += [
            (f'{path}.data_prefix.{key}', value, osp.isdir, 'folder')
            for key, value in prefix.items()
        ]
    for where, value, exists, what in entries:
        if not isinstance(value, str) or not value:
            continue
        full = value if osp.isabs(value) else osp.join(root, value)
        if not exists(full):
            problems.append(f'{where}: no such {what}: {full}')
