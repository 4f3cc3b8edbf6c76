"""Fixture paths and small helpers shared by the tests (no ../shared needed:
the real annotation files the tests read are copied under ``tests/data``)."""

import os.path as osp

TESTS_DIR = osp.dirname(osp.abspath(__file__))
DATA_DIR = osp.join(TESTS_DIR, 'data')


def write_text(tmp_path, name: str, text: str, newline=None) -> str:
    """Write ``text`` to ``tmp_path / name`` and return the path."""
    path = tmp_path / name
    with open(path, 'w', newline=newline) as f:
        f.write(text)
    return str(path)
