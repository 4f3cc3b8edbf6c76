"""Class labels of annotation entries: from a field, or from the folders of
the video path."""
from typing import Dict, Optional, Sequence

from ..annotations import AnnotationError, is_normal_class

__all__ = ['ClassResolver', 'LABEL_SOURCES']

#: Where :class:`ClassResolver` takes an entry's class from.
LABEL_SOURCES = ('auto', 'path', 'field')


class ClassResolver:
    """Maps class names, folder names and class fields to class indices.

    Index 0 is the normal class. A name matches a class exactly, through
    ``class_aliases``, or case-insensitively; a folder that matches no class
    but denotes normal video by the one rule of
    :func:`~fgclip_mm.annotations.is_normal_class` (the whole word
    ``normal``: ``Normal_Videos_event`` yes, ``Abnormal`` no) is class 0.

    Args:
        classes (Sequence[str]): Class names, normal first.
        label_source (str): ``'path'`` (nearest folder of the video path that
            names a class), ``'field'`` (from ``label_field``) or ``'auto'``
            (the field when the entry has it, else the path). Defaults to
            ``'auto'``.
        label_field (str): Entry field holding a class name or index.
            Defaults to ``'label'``.
        class_aliases (dict[str, str], optional): Names mapped to a class.
            Defaults to None.
    """

    def __init__(self,
                 classes: Sequence[str],
                 label_source: str = 'auto',
                 label_field: str = 'label',
                 class_aliases: Optional[Dict[str, str]] = None) -> None:
        if label_source not in LABEL_SOURCES:
            raise ValueError(f'label_source must be one of {LABEL_SOURCES}, '
                             f'got {label_source!r}')
        self.classes = tuple(classes)
        self.label_source = label_source
        self.label_field = label_field
        self.class_aliases = dict(class_aliases or {})
        for alias, target in self.class_aliases.items():
            if self.index(target) is None:
                raise ValueError(f'class_aliases[{alias!r}] = {target!r} is '
                                 f'not one of the classes {self.classes}')

    def index(self, name: str) -> Optional[int]:
        """Index of a class name or alias (case-insensitive); None if the name
        names no class."""
        name = self.class_aliases.get(name, name)
        lower = [c.lower() for c in self.classes]
        if name in self.classes:
            return self.classes.index(name)
        if name.lower() in lower:
            return lower.index(name.lower())
        return None

    def index_or_normal(self, name: str) -> Optional[int]:
        """:meth:`index`, else 0 when the name denotes normal video."""
        idx = self.index(name)
        if idx is None and is_normal_class(name):
            return 0
        return idx

    def from_path(self, video: str) -> Optional[int]:
        """Class of the nearest folder of ``video`` naming a class (a class
        match anywhere wins over the normal rule); None if no folder does."""
        folders = video.replace('\\', '/').split('/')[:-1]
        for folder in reversed(folders):
            idx = self.index(folder)
            if idx is not None:
                return idx
        if any(is_normal_class(f) for f in folders):
            return 0
        return None

    def _from_field(self, value, where: str) -> int:
        field = self.label_field
        if value is None:
            raise AnnotationError(
                f"{where}: field '{field}' (the class) is missing")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise AnnotationError(f"{where}: field '{field}' must be a class "
                                  f'name or index, got {value!r}')
        if isinstance(value, int):
            if not 0 <= value < len(self.classes):
                raise AnnotationError(
                    f"{where}: field '{field}' = {value} is not a class "
                    f'index (0..{len(self.classes) - 1})')
            return value
        idx = self.index(value)
        if idx is None:
            raise AnnotationError(
                f"{where}: field '{field}' = {value!r} is not one of the "
                f'classes {self.classes} (set metainfo or class_aliases)')
        return idx

    def of_entry(self, entry: dict, where: str) -> int:
        """Class index of an annotation entry (with a ``video`` path).

        Raises:
            AnnotationError: naming ``where`` when no class can be found.
        """
        value = entry.get(self.label_field)
        if self.label_source == 'field' or (self.label_source == 'auto'
                                            and value is not None):
            return self._from_field(value, where)
        idx = self.from_path(entry['video'])
        if idx is None:
            raise AnnotationError(
                f'{where}: cannot infer the class from the path '
                f"{entry['video']!r}: no folder names one of {self.classes} "
                f"(set metainfo, class_aliases or a '{self.label_field}' "
                'field)')
        return idx
