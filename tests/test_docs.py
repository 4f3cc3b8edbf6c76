"""Every repository path the documentation and the code's docstrings name
exists (README, docs/, package, tools, configs)."""

import glob
import os.path as osp
import re

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PATH_RE = re.compile(
    r'(?<![\w/.\-])((?:docs|tools|configs|fgclip_mm|tests)/'
    r'[\w./\-]*\w\.(?:md|py|sh|txt|json|csv))'
)


def _sources():
    patterns = [
        'README.md',
        'docs/*.md',
        'fgclip_mm/**/*.py',
        'tools/**/*.py',
        'tools/*.sh',
        'configs/**/*.py',
        'Makefile',
        'requirements*.txt',
        'setup.py',
    ]
    for pattern in patterns:
        yield from glob.glob(osp.join(ROOT, pattern), recursive=True)


def _referenced_paths(text: str):
    for match in PATH_RE.finditer(text):
        yield match.group(1).rstrip('.')


def test_referenced_repository_files_exist():
    missing = []
    for source in _sources():
        text = open(source, encoding='utf-8').read()
        for path in _referenced_paths(text):
            if not osp.exists(osp.join(ROOT, path)):
                missing.append(f'{osp.relpath(source, ROOT)} -> {path}')
    assert not missing, '\n'.join(sorted(set(missing)))


def test_the_checker_finds_paths_in_prose_and_code():
    text = (
        'see `docs/install.md`, tools/train.py and '
        '"configs/_base_/models/x.py"; not a/docs/y.md'
    )
    assert list(_referenced_paths(text)) == [
        'docs/install.md',
        'tools/train.py',
        'configs/_base_/models/x.py',
    ]
