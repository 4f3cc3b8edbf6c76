"""Inject named bugs into a scratch copy of the repository and report which
ones the fast test suite catches.

Each mutation (``tools/dev/mutations.py``) names a file, an exact snippet
of it, a replacement (or lists of both, applied in order) and optionally the
tests to run (``pytest -m "not slow" -x -q``, the whole suite by default;
``slow=True`` drops the ``-m`` filter). The script copies the repository's
files (``git ls-files``: tracked and untracked-but-not-ignored; never
``.venv`` or ``.git``) to a temporary directory per worker, checks that
``fgclip_mm`` imports from that copy (not from the editable install), and
per mutation edits the copy, runs pytest in it with the copy first on
``PYTHONPATH`` and restores the file. The working tree is never modified.

Results: ``caught`` (pytest failed, including collection errors),
``missed`` (pytest passed: a hole in the tests), ``stale`` (the snippet is
not in the file exactly once: update the entry), ``error`` (pytest exit
status 4/5, e.g. a wrong test path, or ``baseline-fails``: the selection
fails unmutated) and ``timeout``.

Usage (from the repository root, with the project's interpreter)::

    .venv/bin/python tools/dev/mutate.py --list            # marks stale ones
    .venv/bin/python tools/dev/mutate.py                   # every mutation
    .venv/bin/python tools/dev/mutate.py --only NAME1,NAME2 -j 2 -v
    .venv/bin/python tools/dev/mutate.py --mutations my_list.py --no-baseline

It prints a Markdown table (mutation, result, seconds, tests, first failing
test) and exits 0 when every selected mutation is caught, else 1. To check
a new component the same way, add entries to ``tools/dev/mutations.py``: a
small change that a correct test of the behaviour must notice. Not part of
CI (a full run takes minutes).
"""

import argparse
import importlib.util
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SKIP_DIRS = {'.venv', '.git', '__pycache__', '.pytest_cache', 'work_dirs'}
FIELDS = ('name', 'file', 'original', 'replacement')


def load_mutations(path: str) -> List[Dict]:
    """The ``MUTATIONS`` list of a Python file (or a JSON list).

    Each entry is a dict with ``name``, ``file`` (relative to the
    repository root), ``original`` (exact snippet), ``replacement`` (or
    two lists of the same length: several edits of the file) and optionally
    ``tests`` (a list of pytest arguments), ``slow`` (True: also run tests
    marked slow) and ``note``.
    """
    if path.endswith('.json'):
        import json

        with open(path) as f:
            mutations = json.load(f)
    else:
        spec = importlib.util.spec_from_file_location('_mutations', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        mutations = module.MUTATIONS
    names = set()
    for m in mutations:
        missing = [k for k in FIELDS if k not in m]
        if missing:
            raise ValueError(
                f'{path}: mutation {m.get("name")!r} lacks {missing}'
            )
        edits(m)  # checks the two fields
        if m['name'] in names:
            raise ValueError(f'{path}: mutation name {m["name"]!r} repeats')
        names.add(m['name'])
    return mutations


def edits(mutation: Dict) -> List[Tuple[str, str]]:
    """The ``(original, replacement)`` pairs of a mutation: one, or several
    when both fields are lists (applied in order)."""
    orig, repl = mutation['original'], mutation['replacement']
    if isinstance(orig, str) and isinstance(repl, str):
        return [(orig, repl)]
    if (
        isinstance(orig, list)
        and isinstance(repl, list)
        and len(orig) == len(repl) > 0
    ):
        return list(zip(orig, repl))
    raise ValueError(
        f'mutation {mutation["name"]!r}: original and '
        'replacement must be two strings or two lists of the '
        'same length'
    )


def apply(source: str, mutation: Dict) -> Tuple[str, str]:
    """``(mutated source, '')``, or ``(source, why)`` when a snippet does
    not occur exactly once (checked on the text as edited so far)."""
    for original, replacement in edits(mutation):
        count = source.count(original)
        if count != 1:
            return source, f'snippet found {count} times'
        source = source.replace(original, replacement)
    return source, ''


def list_files(root: str) -> List[str]:
    """Files of the repository, relative to ``root``: git's tracked and
    untracked-but-not-ignored files, or every file outside ``SKIP_DIRS``
    when ``root`` is no git work tree."""
    try:
        out = subprocess.run(
            [
                'git',
                'ls-files',
                '-z',
                '--cached',
                '--others',
                '--exclude-standard',
            ],
            cwd=root,
            check=True,
            capture_output=True,
        ).stdout
        files = [f for f in out.decode().split('\0') if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            files += [
                osp.relpath(osp.join(dirpath, f), root) for f in filenames
            ]
    return sorted(
        f
        for f in files
        if osp.isfile(osp.join(root, f))
        and not set(f.split(os.sep)[:-1]) & SKIP_DIRS
    )


def make_scratch(root: str, files: Sequence[str]) -> str:
    """A temporary directory holding a copy of ``files``."""
    scratch = tempfile.mkdtemp(prefix='mutate-')
    for rel in files:
        dst = osp.join(scratch, rel)
        os.makedirs(osp.dirname(dst), exist_ok=True)
        shutil.copy2(osp.join(root, rel), dst)
    return scratch


def scratch_env(scratch: str) -> Dict[str, str]:
    """Environment that imports the project from ``scratch`` first."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [scratch] + [p for p in [env.get('PYTHONPATH')] if p]
    )
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    return env


def imported_from(scratch: str, python: str, package: str) -> str:
    """Where ``package`` is found by ``python`` run in ``scratch`` (found,
    not imported: no package code runs)."""
    code = (
        'import importlib.util as u; '
        f's = u.find_spec({package!r}); print(s.origin if s else "")'
    )
    out = subprocess.run(
        [python, '-c', code],
        cwd=scratch,
        env=scratch_env(scratch),
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def check_scratch_import(scratch: str, python: str, package: str) -> None:
    """Raise unless ``package`` (when the repository has one) resolves to
    the scratch copy."""
    if not osp.isdir(osp.join(scratch, package)):
        return
    origin = imported_from(scratch, python, package)
    if not osp.realpath(origin).startswith(osp.realpath(scratch) + os.sep):
        raise RuntimeError(
            f'{package} resolves to {origin!r}, not to the '
            f'scratch copy {scratch}: mutations would not '
            'be tested'
        )
    print(f'{package} is imported from {origin}', file=sys.stderr)


def selection(mutation: Dict) -> Tuple[Tuple[str, ...], bool]:
    """``(pytest arguments, whether slow tests run)`` of a mutation."""
    return tuple(mutation.get('tests') or []), bool(mutation.get('slow'))


def run_pytest(
    scratch: str,
    python: str,
    sel: Tuple[Tuple[str, ...], bool],
    timeout: float,
) -> Dict:
    """``pytest -m "not slow" -x -q [tests]`` in ``scratch`` (without
    ``-m`` when ``sel`` allows slow tests); returns
    ``dict(returncode, seconds, tail, by)``: ``returncode`` None on
    timeout, ``by`` the first failing test."""
    tests, slow = sel
    marker = [] if slow else ['-m', 'not slow']
    cmd = [
        python,
        '-m',
        'pytest',
        *marker,
        '-x',
        '-q',
        '-p',
        'no:cacheprovider',
        *tests,
    ]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            cmd,
            cwd=scratch,
            env=scratch_env(scratch),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = proc.stdout + proc.stderr
        code, tail, by = proc.returncode, output[-2000:], first_failure(output)
    except subprocess.TimeoutExpired:
        code, tail, by = None, '', ''
    return dict(
        returncode=code, seconds=time.monotonic() - start, tail=tail, by=by
    )


def first_failure(output: str) -> str:
    """The first ``FAILED``/``ERROR`` test id of pytest's short summary."""
    for line in output.splitlines():
        if line.startswith(('FAILED ', 'ERROR ')):
            return line.split()[1]
    return ''


def classify(returncode: Optional[int]) -> str:
    """pytest's exit status as a mutation result."""
    if returncode is None:
        return 'timeout'
    if returncode == 0:
        return 'missed'
    if returncode in (4, 5):  # usage error / no test collected
        return 'error'
    return 'caught'  # 1: a test failed; 2: collection (e.g. import) error


def stale_reason(root: str, mutation: Dict) -> str:
    """Why ``mutation`` cannot be applied to the tree at ``root`` (its
    snippet must occur exactly once), or ``''``."""
    path = osp.join(root, mutation['file'])
    if not osp.isfile(path):
        return 'file not found'
    with open(path, encoding='utf-8') as f:
        return apply(f.read(), mutation)[1]


class Worker:
    """One scratch copy; applies a mutation, runs its tests, reverts."""

    def __init__(self, root: str, files: Sequence[str], args) -> None:
        self.scratch = make_scratch(root, files)
        self.args = args
        check_scratch_import(self.scratch, args.python, args.package)

    def baseline(self, sel: Tuple[Tuple[str, ...], bool]) -> Dict:
        return run_pytest(
            self.scratch, self.args.python, sel, self.args.timeout
        )

    def run(self, mutation: Dict) -> Dict:
        result = dict(
            name=mutation['name'], seconds=0.0, tail='', why='', by=''
        )
        why = stale_reason(self.scratch, mutation)
        if why:
            return dict(result, result='stale', why=why)
        path = osp.join(self.scratch, mutation['file'])
        with open(path, encoding='utf-8') as f:
            source = f.read()
        try:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(apply(source, mutation)[0])
            run = run_pytest(
                self.scratch,
                self.args.python,
                selection(mutation),
                self.args.timeout,
            )
        finally:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(source)
        return dict(
            result,
            result=classify(run['returncode']),
            seconds=run['seconds'],
            tail=run['tail'],
            by=run['by'],
        )

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


def describe_tests(mutation: Dict) -> str:
    """The tests a mutation runs, for the report."""
    tests, slow = selection(mutation)
    text = ' '.join(tests) or ('(all)' if slow else '(all fast)')
    return text + (' (slow too)' if slow and tests else '')


def format_table(rows: Sequence[Dict], mutations: Dict[str, Dict]) -> str:
    """A Markdown table: mutation, result, seconds, the tests run and the
    first test that failed."""
    lines = [
        '| mutation | result | s | tests | first failure |',
        '|---|---|---|---|---|',
    ]
    for r in rows:
        tests = describe_tests(mutations[r['name']])
        result = r['result'] + (f' ({r["why"]})' if r.get('why') else '')
        lines.append(
            f'| {r["name"]} | {result} | {r["seconds"]:.1f} | '
            f'{tests} | {r.get("by", "")} |'
        )
    counts = Counter(r['result'] for r in rows)
    lines.append('')
    lines.append(', '.join(f'{v} {k}' for k, v in sorted(counts.items())))
    return '\n'.join(lines)


def parse_args(argv: Optional[Sequence[str]] = None):
    parser = argparse.ArgumentParser(
        description='Report which named mutations the fast tests catch.'
    )
    parser.add_argument(
        '--mutations',
        default=osp.join(ROOT, 'tools', 'dev', 'mutations.py'),
        help='Python file with a MUTATIONS list (or a JSON list)',
    )
    parser.add_argument(
        '--root',
        default=ROOT,
        help='repository root to copy (default: this one)',
    )
    parser.add_argument(
        '--list', action='store_true', help='list the mutations and exit'
    )
    parser.add_argument(
        '--only',
        action='append',
        default=[],
        help='run only these (repeatable, or comma-separated)',
    )
    parser.add_argument(
        '-j',
        '--jobs',
        type=int,
        default=1,
        help='parallel scratch copies (default 1)',
    )
    parser.add_argument(
        '--timeout',
        type=float,
        default=900,
        help='seconds per pytest run (default 900)',
    )
    parser.add_argument(
        '--no-baseline',
        action='store_true',
        help='do not check that the selections pass unmutated',
    )
    parser.add_argument(
        '--python',
        default=sys.executable,
        help='interpreter that runs pytest (default: this)',
    )
    parser.add_argument(
        '--package',
        default='fgclip_mm',
        help='package that must import from the copy',
    )
    parser.add_argument(
        '-v',
        '--verbose',
        action='store_true',
        help='print the pytest output of missed / error runs',
    )
    return parser.parse_args(argv)


def select(mutations: List[Dict], only: Sequence[str]) -> List[Dict]:
    """The mutations named in ``only`` (all when empty), in file order."""
    wanted = [n for item in only for n in item.split(',') if n]
    unknown = sorted(set(wanted) - {m['name'] for m in mutations})
    if unknown:
        raise SystemExit(
            f'unknown mutation(s): {", ".join(unknown)}; see --list'
        )
    return [m for m in mutations if not wanted or m['name'] in wanted]


def baseline_failures(worker: Worker, chosen: Sequence[Dict]) -> Dict:
    """:func:`selection` to its unmutated run, for the selections that do
    not pass unmutated."""
    bad = {}
    for sel in sorted({selection(m) for m in chosen}):
        run = worker.baseline(sel)
        if run['returncode'] != 0:
            bad[sel] = run
    return bad


def run_all(chosen: Sequence[Dict], args) -> List[Dict]:
    """Run every applicable mutation; one result row per mutation."""
    stale = {m['name']: stale_reason(args.root, m) for m in chosen}
    live = [m for m in chosen if not stale[m['name']]]
    workers = []
    if live:
        files = list_files(args.root)
        workers = [
            Worker(args.root, files, args)
            for _ in range(max(1, min(args.jobs, len(live))))
        ]
    try:
        bad = (
            {}
            if args.no_baseline or not live
            else baseline_failures(workers[0], live)
        )
        todo = [m for m in live if selection(m) not in bad]
        free = list(workers)

        def one(mutation):
            worker = free.pop()
            try:
                return worker.run(mutation)
            finally:
                free.append(worker)

        with ThreadPoolExecutor(max(1, len(workers))) as pool:
            done = {r['name']: r for r in pool.map(one, todo)}
    finally:
        for w in workers:
            w.close()
    rows = []
    for m in chosen:
        base = bad.get(selection(m))
        if stale[m['name']]:
            rows.append(
                dict(
                    name=m['name'],
                    result='stale',
                    seconds=0.0,
                    why=stale[m['name']],
                    tail='',
                )
            )
        elif base is not None:
            rows.append(
                dict(
                    name=m['name'],
                    result='error',
                    tail=base['tail'],
                    why='baseline-fails',
                    seconds=base['seconds'],
                )
            )
        else:
            rows.append(done[m['name']])
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    mutations = load_mutations(args.mutations)
    chosen = select(mutations, args.only)
    if args.list:
        for m in chosen:
            tests = describe_tests(m)
            why = stale_reason(args.root, m)
            stale = f' STALE ({why})' if why else ''
            print(f'{m["name"]}: {m["file"]} [{tests}]{stale}')
            if m.get('note'):
                print(f'    {m["note"]}')
        return 0
    rows = run_all(chosen, args)
    if args.verbose:
        for r in rows:
            if r['result'] in ('missed', 'error') and r.get('tail'):
                print(f'--- {r["name"]} ({r["result"]})\n{r["tail"]}')
    print(format_table(rows, {m['name']: m for m in mutations}))
    return 0 if all(r['result'] == 'caught' for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
