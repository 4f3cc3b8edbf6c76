import importlib.util
import os.path as osp
import shutil
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(ROOT, 'tools', 'dev', 'mutate.py')

MOD = """def add(a, b):
    return a + b


def sub(a, b):
    return a - b
"""
TEST = """from pkg.mod import add


def test_add():
    assert add(2, 3) == 5
"""
SLOW_TEST = """import pytest

from pkg.mod import sub


@pytest.mark.slow
def test_sub():
    assert sub(3, 2) == 1
"""
MUTATIONS = """MUTATIONS = [
    dict(name='add-multiplies', file='pkg/mod.py', original='return a + b',
         replacement='return a * b', tests=['tests/test_mod.py']),
    dict(name='sub-adds', file='pkg/mod.py', original='return a - b',
         replacement='return a + b', tests=['tests/test_mod.py']),
    dict(name='gone', file='pkg/mod.py', original='return a // b',
         replacement='return 0', tests=['tests/test_mod.py']),
    dict(name='twice', file='pkg/mod.py', original='    return a',
         replacement='    return 0', tests=['tests/test_mod.py']),
    dict(name='no-such-test', file='pkg/mod.py', original='return a + b',
         replacement='return a * b', tests=['tests/test_none.py']),
    dict(name='two-edits', file='pkg/mod.py',
         original=['return a + b', 'def sub('],
         replacement=['return a - b', 'def subtract('],
         tests=['tests/test_mod.py']),
    dict(name='sub-adds-slow-test', file='pkg/mod.py',
         original='return a - b', replacement='return a + b',
         tests=['tests/test_slow.py'], slow=True),
    dict(name='second-edit-gone', file='pkg/mod.py',
         original=['return a + b', 'return b'],
         replacement=['return 0', 'return 1'], tests=['tests/test_mod.py']),
]
"""


def load_script():
    spec = importlib.util.spec_from_file_location('mutate_script', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tiny_repo(tmp_path):
    """A repository with one function tested (add) and one tested only by
    a slow test (sub)."""
    root = tmp_path / 'repo'
    (root / 'pkg').mkdir(parents=True)
    (root / 'tests').mkdir()
    (root / 'pkg' / '__init__.py').write_text('')
    (root / 'pkg' / 'mod.py').write_text(MOD)
    (root / 'tests' / 'test_mod.py').write_text(TEST)
    (root / 'tests' / 'test_slow.py').write_text(SLOW_TEST)
    (root / 'pytest.ini').write_text('[pytest]\nmarkers =\n    slow: slow\n')
    (tmp_path / 'mutations.py').write_text(MUTATIONS)
    return root


def test_reports_caught_missed_stale_and_error(tiny_repo, capsys):
    mutate = load_script()
    code = mutate.main(
        [
            '--root',
            str(tiny_repo),
            '--mutations',
            str(tiny_repo.parent / 'mutations.py'),
            '--package',
            'pkg',
        ]
    )
    out = capsys.readouterr().out
    rows = {
        line.split('|')[1].strip(): line.split('|')[2].strip()
        for line in out.splitlines()
        if line.startswith('| ')
    }
    assert rows == {
        'mutation': 'result',
        'add-multiplies': 'caught',
        'sub-adds': 'missed',  # its only test is slow
        'sub-adds-slow-test': 'caught',
        'gone': 'stale (snippet found 0 times)',
        'twice': 'stale (snippet found 2 times)',
        'no-such-test': 'error (baseline-fails)',
        'two-edits': 'caught',
        'second-edit-gone': 'stale (snippet found 0 times)',
    }
    assert 'tests/test_mod.py::test_add' in out  # the test that caught it
    assert code == 1
    # the repository itself is never modified
    assert (tiny_repo / 'pkg' / 'mod.py').read_text() == MOD


def test_only_and_list(tiny_repo, capsys):
    mutate = load_script()
    args = [
        '--root',
        str(tiny_repo),
        '--mutations',
        str(tiny_repo.parent / 'mutations.py'),
        '--package',
        'pkg',
    ]
    assert mutate.main(args + ['--list', '--only', 'gone,sub-adds']) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split(':')[0] for line in listed] == ['sub-adds', 'gone']
    only = ['--only', 'add-multiplies', '--no-baseline']
    assert mutate.main(args + only) == 0
    assert '1 caught' in capsys.readouterr().out
    with pytest.raises(SystemExit, match='unknown mutation.*nope'):
        mutate.main(args + ['--only', 'nope'])


def test_scratch_copy_of_this_repository_imports_its_own_fgclip_mm():
    mutate = load_script()
    files = mutate.list_files(ROOT)
    assert 'tools/dev/mutate.py' in files and 'fgclip_mm/__init__.py' in files
    assert not any(f.startswith(('.venv/', '.git/')) for f in files)
    scratch = mutate.make_scratch(
        ROOT, [f for f in files if f.startswith('fgclip_mm/')]
    )
    try:
        origin = mutate.imported_from(scratch, sys.executable, 'fgclip_mm')
        assert origin == osp.join(scratch, 'fgclip_mm', '__init__.py')
        mutate.check_scratch_import(scratch, sys.executable, 'fgclip_mm')
    finally:
        shutil.rmtree(scratch)


def test_every_listed_mutation_is_well_formed():
    mutate = load_script()
    mutations = mutate.load_mutations(
        osp.join(ROOT, 'tools', 'dev', 'mutations.py')
    )
    assert len(mutations) >= 15
    for m in mutations:
        assert m['original'] != m['replacement'], m['name']
        for test in m.get('tests') or []:
            assert osp.exists(osp.join(ROOT, test.split('::')[0])), test
