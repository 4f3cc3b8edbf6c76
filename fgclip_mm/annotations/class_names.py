"""Class tables of the VAD benchmarks and the one rule for normal classes.

Index 0 of every table is the normal class, as the datasets' ``label`` and
the scorers' prompts expect (``metainfo=dict(classes=UCF_CRIME_CLASSES)``).
Names are single words as annotation files and folders spell them;
:func:`class_text` turns ``'RoadAccidents'`` into ``'road accidents'`` for
captions and prompts.
"""
import re
from collections import OrderedDict
from typing import Tuple

__all__ = [
    'UCF_CRIME_CLASSES', 'XD_VIOLENCE_LABEL_CODES', 'XD_VIOLENCE_CLASSES',
    'SHANGHAITECH_CLASSES', 'DEMO_CLASSES', 'get_classes', 'is_normal_class',
    'class_text'
]

#: UCF-Crime (Sultani et al., CVPR 2018): 13 anomaly classes.
UCF_CRIME_CLASSES = ('Normal', 'Abuse', 'Arrest', 'Arson', 'Assault',
                     'Burglary', 'Explosion', 'Fighting', 'RoadAccidents',
                     'Robbery', 'Shooting', 'Shoplifting', 'Stealing',
                     'Vandalism')

#: XD-Violence (Wu et al., ECCV 2020) label codes, as coded in its video
#: names (``..._label_B2-G-0``), to class names.
XD_VIOLENCE_LABEL_CODES = OrderedDict([
    ('A', 'Normal'),
    ('B1', 'Fighting'),
    ('B2', 'Shooting'),
    ('B4', 'Riot'),
    ('B5', 'Abuse'),
    ('B6', 'CarAccident'),
    ('G', 'Explosion'),
])

#: XD-Violence's classes in label-code order.
XD_VIOLENCE_CLASSES = tuple(XD_VIOLENCE_LABEL_CODES.values())

#: ShanghaiTech's weakly supervised split (Zhong et al., CVPR 2019) has
#: video-level labels only.
SHANGHAITECH_CLASSES = ('Normal', 'Anomaly')

#: The synthetic demo data of ``tools/data/make_demo_dataset.py``.
DEMO_CLASSES = ('Normal', 'Explosion', 'Fighting')

_DATASET_CLASSES = {
    'ucf_crime': UCF_CRIME_CLASSES,
    'xd_violence': XD_VIOLENCE_CLASSES,
    'shanghaitech': SHANGHAITECH_CLASSES,
    'demo': DEMO_CLASSES,
}


def get_classes(dataset: str) -> Tuple[str, ...]:
    """The class tuple of a dataset (``'ucf_crime'``, ``'xd_violence'``,
    ``'shanghaitech'`` or ``'demo'``)."""
    if dataset not in _DATASET_CLASSES:
        raise ValueError(f'unknown dataset {dataset!r}; known: '
                         f'{sorted(_DATASET_CLASSES)}')
    return _DATASET_CLASSES[dataset]


def _words(name: str) -> list:
    """Lower-case words of a class or folder name: split at ``_``, ``-``,
    spaces, dots and camel-case humps."""
    spaced = re.sub(r'(?<=[a-z0-9])(?=[A-Z])', ' ', str(name))
    return [w.lower() for w in re.split(r'[\s_\-./]+', spaced) if w]


def is_normal_class(name: str) -> bool:
    """Whether a class or folder name denotes normal (non-anomalous) video.

    The one rule of fgclip_mm: the name has the whole word ``normal``
    (``Normal``, ``Normal_Videos_event``, ``Training_Normal_Videos_Anomaly``,
    ``normal activity``). A substring is not enough: ``Abnormal`` and
    ``abnormal_events`` are *not* normal.

    Args:
        name (str): A class name or a folder name.

    Returns:
        bool: True for a normal class.
    """
    return 'normal' in _words(name)


def class_text(class_name: str) -> str:
    """Readable text of a class name: ``'RoadAccidents'`` -> ``'road
    accidents'``."""
    words = re.sub(r'(?<=[a-z])(?=[A-Z])', ' ', class_name).replace('_', ' ')
    return words.lower()
