"""Class labels of annotation entries: from a field, or from the folders of
the video path; per source when one file merges several datasets."""

import re
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

from ..annotations import (
    AnnotationError,
    equivalent_class_aliases,
    get_classes,
    is_normal_class,
    video_stem,
)
from .video_paths import match_prefix, normalize_video_path

__all__ = ['ClassResolver', 'LABEL_SOURCES']

#: Where :class:`ClassResolver` takes an entry's class from.
LABEL_SOURCES = ('auto', 'path', 'field')

ClassTable = Union[str, Sequence[str]]


def _stem_class_name(video: str) -> str:
    """Class-like part of a file name: ``Object_falling_3.mp4`` ->
    ``Object_falling``, ``Abuse001_x264.mp4`` -> ``Abuse``."""
    stem = re.sub(r'_x264$', '', video_stem(video))
    return re.sub(r'_?\d+$', '', stem)


class ClassResolver:
    """Maps class names, folder names and class fields to class indices.

    Index 0 is the normal class. A name matches a class exactly, through
    ``class_aliases`` or :data:`~fgclip_mm.annotations.EQUIVALENT_CLASSES`
    (``Traffic_accident`` -> ``RoadAccidents``), or case-insensitively; a
    name that matches no class but denotes normal video by the one rule of
    :func:`~fgclip_mm.annotations.is_normal_class` (the whole word
    ``normal``: ``Normal_Videos_event`` yes, ``Abnormal`` no) is class 0.

    With ``sources``, an entry whose path starts with a source's prefix gets
    its class name from that source's table (an integer label field is an
    index into it; a name outside it is an unknown class), and the name is
    then mapped onto ``classes``.

    Args:
        classes (Sequence[str]): Class names, normal first.
        label_source (str): ``'path'`` (nearest folder of the video path that
            names a class, else the class-like part of the file name),
            ``'field'`` (from ``label_field``) or ``'auto'`` (the field when
            the entry has it, else the path). Defaults to ``'auto'``.
        label_field (str): Entry field holding a class name or index.
            Defaults to ``'label'``.
        class_aliases (dict[str, str], optional): Names mapped to a class;
            they take precedence over the built-in equivalences. Defaults to
            None.
        sources (dict[str, str | Sequence[str]], optional): Video path prefix
            (any form :func:`~fgclip_mm.datasets.video_paths.
            normalize_video_path` reads) to the class table of that source: a
            dataset name of :func:`~fgclip_mm.annotations.get_classes`
            (``'msad'``) or the class names. Defaults to None.
    """

    def __init__(
        self,
        classes: Sequence[str],
        label_source: str = 'auto',
        label_field: str = 'label',
        class_aliases: Optional[Dict[str, str]] = None,
        sources: Optional[Mapping[str, ClassTable]] = None,
    ) -> None:
        if label_source not in LABEL_SOURCES:
            raise ValueError(
                f'label_source must be one of {LABEL_SOURCES}, '
                f'got {label_source!r}'
            )
        self.classes = tuple(classes)
        self.label_source = label_source
        self.label_field = label_field
        self._lower = [c.lower() for c in self.classes]
        self.class_aliases = {
            **equivalent_class_aliases(self.classes),
            **dict(class_aliases or {}),
        }
        self._aliases = {k.lower(): v for k, v in self.class_aliases.items()}
        for alias, target in self.class_aliases.items():
            if self.index(target) is None:
                raise ValueError(
                    f'class_aliases[{alias!r}] = {target!r} is '
                    f'not one of the classes {self.classes}'
                )
        self.sources: Dict[str, Tuple[str, 'ClassResolver']] = {}
        for prefix, table in (sources or {}).items():
            name = table if isinstance(table, str) else prefix
            tab = get_classes(table) if isinstance(table, str) else table
            self.sources[normalize_video_path(prefix).rstrip('/')] = (
                name,
                ClassResolver(tab, label_source, label_field),
            )

    def index(self, name: str) -> Optional[int]:
        """Index of a class name or alias (case-insensitive); None if the name
        names no class."""
        name = self._aliases.get(name.lower(), name)
        if name in self.classes:
            return self.classes.index(name)
        if name.lower() in self._lower:
            return self._lower.index(name.lower())
        return None

    def index_or_normal(self, name: str) -> Optional[int]:
        """:meth:`index`, else 0 when the name denotes normal video."""
        idx = self.index(name)
        if idx is None and is_normal_class(name):
            return 0
        return idx

    def from_path(self, video: str) -> Optional[int]:
        """Class of the nearest folder of ``video`` naming a class (a class
        match anywhere wins over the normal rule), else of the file name's
        class-like part (``Fire_12.mp4``); None if neither names one."""
        folders = normalize_video_path(video).split('/')[:-1]
        for folder in reversed(folders):
            idx = self.index(folder)
            if idx is not None:
                return idx
        if any(is_normal_class(f) for f in folders):
            return 0
        return self.index_or_normal(_stem_class_name(video))

    def source_of(self, video: str) -> Optional[str]:
        """Name of the source whose prefix ``video`` starts with (longest
        first); None when no source matches."""
        prefix = match_prefix(normalize_video_path(video), self.sources)
        return None if prefix is None else self.sources[prefix][0]

    def _from_field(self, value, where: str) -> int:
        field = self.label_field
        if value is None:
            raise AnnotationError(
                f"{where}: field '{field}' (the class) is missing",
                code='unknown_class',
            )
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise AnnotationError(
                f"{where}: field '{field}' must be a class "
                f'name or index, got {value!r}',
                code='unknown_class',
            )
        if isinstance(value, int):
            if not 0 <= value < len(self.classes):
                raise AnnotationError(
                    f"{where}: field '{field}' = {value} is not a class "
                    f'index (0..{len(self.classes) - 1})',
                    code='unknown_class',
                )
            return value
        idx = self.index(value)
        if idx is None:
            raise AnnotationError(
                f"{where}: field '{field}' = {value!r} is not one of the "
                f'classes {self.classes} (set metainfo or class_aliases)',
                code='unknown_class',
            )
        return idx

    def _own_class(self, entry: dict, where: str) -> int:
        """Class index of an entry in this resolver's own table."""
        value = entry.get(self.label_field)
        if self.label_source == 'field' or (
            self.label_source == 'auto' and value is not None
        ):
            return self._from_field(value, where)
        idx = self.from_path(entry['video'])
        if idx is None:
            raise AnnotationError(
                f'{where}: cannot infer the class from the path '
                f'{entry["video"]!r}: no folder names one of {self.classes} '
                f"(set metainfo, class_aliases or a '{self.label_field}' "
                'field)',
                code='unknown_class',
            )
        return idx

    def of_entry(self, entry: dict, where: str) -> int:
        """Class index of an annotation entry (with a ``video`` path).

        Raises:
            AnnotationError: naming ``where`` (code ``'unknown_class'``) when
            no class can be found.
        """
        prefix = match_prefix(
            normalize_video_path(entry['video']), self.sources
        )
        if prefix is None:
            return self._own_class(entry, where)
        name, table = self.sources[prefix]
        cls = table.classes[
            table._own_class(entry, f'{where} (source {name!r})')
        ]
        idx = self.index_or_normal(cls)
        if idx is None:
            raise AnnotationError(
                f'{where}: class {cls!r} of source {name!r} is not one of '
                f'the classes {self.classes} (add it to metainfo classes or '
                'map it with class_aliases)',
                code='unknown_class',
            )
        return idx
