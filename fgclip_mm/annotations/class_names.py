"""Class tables of the VAD benchmarks and the one rule for normal classes.

Index 0 of every table is the normal class, as the datasets' ``label`` and
the scorers' prompts expect (``metainfo=dict(classes=UCF_CRIME_CLASSES)``).
Names are single words as annotation files and folders spell them;
:func:`class_text` turns ``'RoadAccidents'`` into ``'road accidents'`` for
captions and prompts.

Several datasets in one training file: each source keeps its own table
(``MSAD_CLASSES`` next to ``UCF_CRIME_CLASSES``), names that mean the same
thing are listed once in :data:`EQUIVALENT_CLASSES`, and
:func:`merge_classes` builds the training list (``UCF_MSAD_CLASSES``). To add
a dataset: add its table here (normal first, names as its folders spell
them), register it in ``_DATASET_CLASSES``, and add a group to
:data:`EQUIVALENT_CLASSES` for each of its names that another table spells
differently (docs/data_preparation.md, "Adding a dataset's classes").
"""

import re
from collections import OrderedDict
from typing import Dict, Sequence, Tuple

__all__ = [
    'UCF_CRIME_CLASSES',
    'XD_VIOLENCE_LABEL_CODES',
    'XD_VIOLENCE_CLASSES',
    'SHANGHAITECH_CLASSES',
    'DEMO_CLASSES',
    'MSAD_CLASSES',
    'UCF_MSAD_CLASSES',
    'EQUIVALENT_CLASSES',
    'get_classes',
    'is_normal_class',
    'class_text',
    'equivalent_class_aliases',
    'merge_classes',
]

#: UCF-Crime (Sultani et al., CVPR 2018): 13 anomaly classes.
UCF_CRIME_CLASSES = (
    'Normal',
    'Abuse',
    'Arrest',
    'Arson',
    'Assault',
    'Burglary',
    'Explosion',
    'Fighting',
    'RoadAccidents',
    'Robbery',
    'Shooting',
    'Shoplifting',
    'Stealing',
    'Vandalism',
)

#: XD-Violence (Wu et al., ECCV 2020) label codes, as coded in its video
#: names (``..._label_B2-G-0``), to class names.
XD_VIOLENCE_LABEL_CODES = OrderedDict(
    [
        ('A', 'Normal'),
        ('B1', 'Fighting'),
        ('B2', 'Shooting'),
        ('B4', 'Riot'),
        ('B5', 'Abuse'),
        ('B6', 'CarAccident'),
        ('G', 'Explosion'),
    ]
)

#: XD-Violence's classes in label-code order.
XD_VIOLENCE_CLASSES = tuple(XD_VIOLENCE_LABEL_CODES.values())

#: ShanghaiTech's weakly supervised split (Zhong et al., CVPR 2019) has
#: video-level labels only.
SHANGHAITECH_CLASSES = ('Normal', 'Anomaly')

#: The synthetic demo data of ``tools/data/make_demo_dataset.py``.
DEMO_CLASSES = ('Normal', 'Explosion', 'Fighting')

#: MSAD (Zhu et al., "Advancing Video Anomaly Detection: A Concise Review
#: and a New Dataset", NeurIPS 2024 Datasets and Benchmarks): 11 anomaly
#: types, spelled as its video names spell them (``Object_falling_3``).
MSAD_CLASSES = (
    'Normal',
    'Assault',
    'Explosion',
    'Fighting',
    'Fire',
    'Object_falling',
    'People_falling',
    'Robbery',
    'Shooting',
    'Traffic_accident',
    'Vandalism',
    'Water_incident',
)

#: Groups of class names of different datasets that mean the same thing.
#: Names equal up to case (``Fighting``) need no group.
EQUIVALENT_CLASSES = (('RoadAccidents', 'Traffic_accident', 'CarAccident'),)


def _equivalents(name: str) -> Tuple[str, ...]:
    lower = name.lower()
    for group in EQUIVALENT_CLASSES:
        if lower in (g.lower() for g in group):
            return group
    return (name,)


def merge_classes(*tables: Sequence[str]) -> Tuple[str, ...]:
    """One class list for training on several datasets.

    ``'Normal'`` first, then every class of every table in order; a name
    equal (up to case) or equivalent (:data:`EQUIVALENT_CLASSES`) to one
    already listed is left out, so the first table's spelling wins.

    Args:
        *tables (Sequence[str]): Class tables, e.g. ``UCF_CRIME_CLASSES,
            MSAD_CLASSES``.

    Returns:
        tuple[str, ...]: The merged classes.
    """
    merged, seen = ['Normal'], set()
    for name in (c for table in tables for c in table):
        if is_normal_class(name):
            continue
        keys = {g.lower() for g in _equivalents(name)}
        if not keys & seen:
            merged.append(name)
            seen |= keys
    return tuple(merged)


def equivalent_class_aliases(classes: Sequence[str]) -> Dict[str, str]:
    """Aliases from :data:`EQUIVALENT_CLASSES` onto a class list: every
    name of a group whose member is in ``classes`` maps to that member
    (``{'Traffic_accident': 'RoadAccidents', 'CarAccident':
    'RoadAccidents'}`` for UCF-Crime's classes)."""
    lower = {c.lower(): c for c in classes}
    aliases = {}
    for group in EQUIVALENT_CLASSES:
        present = [lower[g.lower()] for g in group if g.lower() in lower]
        for name in group:
            if present and name.lower() not in lower:
                aliases[name] = present[0]
    return aliases


_DATASET_CLASSES = {
    'ucf_crime': UCF_CRIME_CLASSES,
    'xd_violence': XD_VIOLENCE_CLASSES,
    'shanghaitech': SHANGHAITECH_CLASSES,
    'demo': DEMO_CLASSES,
    'msad': MSAD_CLASSES,
}


def get_classes(dataset: str) -> Tuple[str, ...]:
    """The class tuple of a dataset (``'ucf_crime'``, ``'xd_violence'``,
    ``'shanghaitech'``, ``'demo'``, ``'msad'`` or ``'ucf_msad'``, the merged
    UCF-Crime + MSAD list)."""
    if dataset not in _DATASET_CLASSES:
        raise ValueError(
            f'unknown dataset {dataset!r}; known: {sorted(_DATASET_CLASSES)}'
        )
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


#: UCF-Crime + MSAD training classes: UCF-Crime's 14, then MSAD's Fire,
#: Object_falling, People_falling and Water_incident (MSAD's
#: Traffic_accident is UCF-Crime's RoadAccidents).
UCF_MSAD_CLASSES = merge_classes(UCF_CRIME_CLASSES, MSAD_CLASSES)
_DATASET_CLASSES['ucf_msad'] = UCF_MSAD_CLASSES
