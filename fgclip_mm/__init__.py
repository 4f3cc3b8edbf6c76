"""fgclip_mm: FG-CLIP video anomaly detection as an MMAction2 plugin.

Importing the package applies the third-party workarounds in
:mod:`fgclip_mm.compat`
and registers every component into MMAction2's registries, so a config with
``custom_imports = dict(imports=['fgclip_mm'])`` works in MMAction2's stock
tools.
"""

from . import compat

compat.apply_all()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402,F401

__all__ = [
    '__version__',
    'compat',
    'datasets',
    'engine',
    'evaluation',
    'models',
]
