"""mmaction2's VindLU models with transformers >= 5 installed."""

import importlib.util
import sys

NAME = 'mmaction2-vindlu-transformers5'


# ----------------------------------------------------------------------------
# mmaction2 1.2.0 enables its VindLU multimodal models whenever
# ``transformers>=4.28`` is installed, but VindLU imports helpers that
# transformers 5 removed (``find_pruneable_heads_and_indices`` ...), so with
# transformers 5 installed ``import mmaction.models`` fails. We register
# MMAction2's own placeholders instead (VindLU then says it is unavailable).
# Remove when mmaction2 pins or fixes its transformers dependency.
# ----------------------------------------------------------------------------
def apply() -> bool:
    if 'mmaction.models' in sys.modules:
        return (
            False  # too late to change; the import already succeeded or failed
        )
    if importlib.util.find_spec('transformers') is None:
        return False
    from mmaction.utils import dependency

    if not dependency.WITH_MULTIMODAL:
        return False
    # read the version from metadata: importing transformers costs seconds
    from importlib.metadata import version

    if int(version('transformers').split('.')[0]) < 5:
        return False
    dependency.WITH_MULTIMODAL = False
    return True
