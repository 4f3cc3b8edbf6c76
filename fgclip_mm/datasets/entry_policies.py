"""Validation of the dataset's policy arguments for bad or missing entries."""

from fgclip_mm.annotations import DUPLICATE_ENTRY_POLICIES

from .annotation_records import INVALID_ENTRY_POLICIES
from .class_resolver import LABEL_SOURCES
from .video_paths import MISSING_VIDEO_POLICIES

__all__ = ['POLICIES', 'check_policies']

_CHOICES = dict(
    label_source=LABEL_SOURCES,
    missing_videos=MISSING_VIDEO_POLICIES,
    invalid_entries=INVALID_ENTRY_POLICIES,
    duplicate_entries=DUPLICATE_ENTRY_POLICIES,
)
#: The dataset arguments that are policies.
POLICIES = tuple(_CHOICES)
#: Policies that leave entries out: refused for test sets.
_TRAINING_ONLY = dict(missing_videos='error', invalid_entries='error')


def check_policies(test_mode: bool, **policies: str) -> None:
    """Raise ``ValueError`` naming the argument of an unknown policy, or of a
    policy that would leave test entries out.

    Args:
        test_mode (bool): The dataset is a test (or validation) set.
        **policies (str): ``name=value`` of the keys of ``_CHOICES``.
    """
    for key, value in policies.items():
        if value not in _CHOICES[key]:
            raise ValueError(
                f'{key} must be one of {_CHOICES[key]}, got {value!r}'
            )
        if test_mode and _TRAINING_ONLY.get(key, value) != value:
            raise ValueError(
                f'{key}={value!r} is refused in test mode: metrics on a '
                'subset of a test set are not comparable with published ones'
            )
