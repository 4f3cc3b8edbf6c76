"""The package's layering and size limits (issue 8): data flows one way,
annotations -> datasets / evaluation, and no module grows past what a reader
can hold."""

import ast
import os
import os.path as osp

import pytest

PACKAGE = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'fgclip_mm'
)

#: sub-package -> fgclip_mm sub-packages it must not import.
FORBIDDEN = {
    'annotations': ('datasets', 'evaluation', 'models', 'engine'),
    'datasets': ('evaluation', 'models'),
    'evaluation': ('datasets', 'models'),
}


def _modules():
    for dirpath, _, files in os.walk(PACKAGE):
        for name in sorted(files):
            if name.endswith('.py'):
                path = osp.join(dirpath, name)
                rel = osp.relpath(path, osp.dirname(PACKAGE))
                yield path, rel[:-3].replace(os.sep, '.')


def _imported(path: str, module: str):
    """Absolute names of the fgclip_mm modules a file imports."""
    tree = ast.parse(open(path).read())
    package = module.rsplit('.', 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[: len(base) - node.level + 1]
                name = '.'.join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ''
            yield name
            for alias in node.names:  # `from . import x`
                yield f'{name}.{alias.name}'


def test_import_graph_flows_one_way():
    bad = []
    for path, module in _modules():
        parts = module.split('.')
        if len(parts) < 2 or parts[1] not in FORBIDDEN:
            continue
        for name in _imported(path, module):
            target = name.split('.')
            if (
                target[0] == 'fgclip_mm'
                and len(target) > 1
                and target[1] in FORBIDDEN[parts[1]]
            ):
                bad.append(f'{module} imports {name}')
    assert not bad, '\n'.join(bad)


def test_the_checker_sees_relative_imports(tmp_path):
    path = tmp_path / 'x.py'
    path.write_text('from ...models import A\nfrom ..functional import b\n')
    names = set(_imported(str(path), 'fgclip_mm.evaluation.metrics.x'))
    assert 'fgclip_mm.models' in names
    assert 'fgclip_mm.evaluation.functional' in names


def _function_lengths():
    for path, module in _modules():
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield (
                    f'{module}.{node.name}',
                    node.end_lineno - node.lineno + 1,
                )


@pytest.mark.parametrize('limit', [60])
def test_no_function_is_longer_than_the_limit(limit):
    long = [
        f'{name}: {n} lines' for name, n in _function_lengths() if n >= limit
    ]
    assert not long, '\n'.join(long)


def test_no_module_is_longer_than_400_lines():
    long = []
    for path, module in _modules():
        n = len(open(path).read().splitlines())
        if n > 400:
            long.append(f'{module}: {n} lines')
    assert not long, '\n'.join(long)
