"""The ``drn`` localizer folder missing from the mmaction2 1.2.0 wheel."""

import importlib.util
import os
import sys
import types

import torch

NAME = 'mmaction2-missing-drn'


# ----------------------------------------------------------------------------
# mmaction2 1.2.0 wheel/sdist lacks ``mmaction/models/localizers/drn``
# (open-mmlab/mmaction2#2714: "No module named
# 'mmaction.models.localizers.drn'"). ``mmaction.models.localizers`` imports
# ``from .drn.drn import DRN`` and so ``import mmaction.models`` fails.
# Remove when a mmaction2 release ships the folder (or the pin moves
# past 1.2.0).
# ----------------------------------------------------------------------------
def apply() -> bool:
    """Install an empty ``drn`` localizer package when the wheel lacks it.

    The stub's ``DRN`` raises on construction with a message saying why, so a
    user who really configures DRN learns what is missing instead of getting a
    silent no-op.
    """
    if 'mmaction.models.localizers.drn.drn' in sys.modules:
        return False
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    drn_dir = os.path.join(
        spec.submodule_search_locations[0], 'models', 'localizers', 'drn'
    )
    if os.path.isdir(drn_dir):
        return False

    class DRN(torch.nn.Module):
        """Placeholder: DRN's source is missing from the mmaction2 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'mmaction2 1.2.0 from PyPI ships without '
                'mmaction/models/localizers/drn (open-mmlab/mmaction2#2714); '
                'install mmaction2 from source to use the DRN localizer.'
            )

    pkg = types.ModuleType('mmaction.models.localizers.drn')
    pkg.__path__ = []  # a package, so ``from .drn.drn import`` resolves
    mod = types.ModuleType('mmaction.models.localizers.drn.drn')
    mod.DRN = DRN
    pkg.drn = mod
    sys.modules[pkg.__name__] = pkg
    sys.modules[mod.__name__] = mod
    return True
