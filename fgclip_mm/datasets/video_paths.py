"""Where the videos named in an annotation file are on this machine."""

import os
import os.path as osp
import re
from typing import Dict, List, Mapping, Optional, Tuple
from urllib.parse import unquote, urlparse

from ..annotations import AnnotationError, video_stem

__all__ = [
    'VideoPathResolver',
    'MISSING_VIDEO_POLICIES',
    'normalize_video_path',
    'match_prefix',
]

#: What a video that cannot be found does: an error, or a skip.
MISSING_VIDEO_POLICIES = ('error', 'skip')

#: Label Studio's local-files URL: ``[http://host]/data/local-files/?d=PATH``.
_LOCAL_FILES = re.compile(
    r'^(?:[a-z]+://[^/]*)?/data/local-files/?\?(.*)$', re.IGNORECASE
)
_PERCENT = re.compile(r'%[0-9A-Fa-f]{2}')


def normalize_video_path(video: str) -> str:
    """The file path an annotation's video field means.

    Understands the forms annotation tools export: Label Studio's
    ``/data/local-files/?d=MSAD/a%20b.mp4`` (with or without
    ``http://host``) -> ``MSAD/a b.mp4``; ``file:///data/x.mp4`` ->
    ``/data/x.mp4``; percent-encoding (``%20``) anywhere. Backslashes become
    ``/``; surrounding whitespace is removed. Plain paths are kept.

    Args:
        video (str): The annotation's video path or URL.

    Returns:
        str: The path (relative if the annotation's is).
    """
    path = str(video).strip().replace('\\', '/')
    m = _LOCAL_FILES.match(path)
    if m:
        params = dict(
            p.split('=', 1) for p in m.group(1).split('&') if '=' in p
        )
        path = unquote(params.get('d', ''))
    elif path.lower().startswith('file:'):
        path = unquote(urlparse(path).path)
        if re.match(r'^/[A-Za-z]:/', path):  # file:///C:/x -> C:/x
            path = path[1:]
    elif _PERCENT.search(path):
        path = unquote(path)
    return path


def _is_under(path: str, prefix: str) -> bool:
    """Whether ``prefix`` is a leading run of whole path components."""
    if not prefix:
        return True
    prefix = prefix.rstrip('/')
    return path == prefix or path.startswith(prefix + '/')


def match_prefix(path: str, prefixes) -> Optional[str]:
    """The longest of ``prefixes`` (normalised paths) that ``path`` starts
    with, whole components only (``'MSAD'`` matches ``'MSAD/x.mp4'``, not
    ``'MSAD2/x.mp4'``); None if none does. ``''`` matches every path."""
    best = None
    for prefix in prefixes:
        if _is_under(path, prefix) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return best


def _build_map(
    path_map: Optional[Mapping[str, str]], strip_prefix: Optional[str]
) -> Dict[str, str]:
    """``path_map`` with normalised keys; ``strip_prefix`` alone means
    ``{strip_prefix: '', '': ''}`` and neither means ``{'': ''}`` (every
    path under ``root``)."""
    if path_map is None:
        path_map = {strip_prefix: '', '': ''} if strip_prefix else {'': ''}
    elif strip_prefix:
        path_map = {strip_prefix: '', **path_map}
    out: Dict[str, str] = {}
    for prefix, local in path_map.items():
        if not isinstance(prefix, str) or not isinstance(local, str):
            raise TypeError(
                'path_map must map path prefixes (str) to local '
                f'directories (str), got {prefix!r}: {local!r}'
            )
        out[normalize_video_path(prefix).rstrip('/')] = local
    return out


class VideoPathResolver:
    """Turns an annotation's video path into a local file path.

    The path is first normalised (annotation-tool URLs, percent-encoding:
    :func:`normalize_video_path`), then the longest matching prefix of
    ``path_map`` is replaced by its local directory. A video that is not
    there is looked up by file name (or stem, for names without an
    extension) under that directory, walked once and cached; several matches
    are an error.

    Args:
        root (str): Directory that relative local directories of
            ``path_map`` (and, without ``path_map``, the annotation's paths)
            are relative to.
        strip_prefix (str, optional): Shorthand for ``path_map={strip_prefix:
            '', '': ''}``: remove this leading part, everything under
            ``root``. Defaults to None.
        check_files (bool): Check that the file exists (and search for it).
            When False paths are only mapped. Defaults to True.
        missing (str): ``'error'`` or ``'skip'`` (:meth:`resolve` returns
            None). Defaults to ``'error'``.
        path_map (dict[str, str], optional): Annotation path prefix (any form
            :func:`normalize_video_path` reads, e.g.
            ``'/data/local-files/?d=MSAD/'``) to local directory (relative to
            ``root`` or absolute); matched longest first, on whole path
            components. A path no prefix matches is an error naming it; add
            ``''`` to map every other path. Defaults to None (``{'': ''}``).
    """

    def __init__(
        self,
        root: str,
        strip_prefix: Optional[str] = None,
        check_files: bool = True,
        missing: str = 'error',
        path_map: Optional[Mapping[str, str]] = None,
    ) -> None:
        if missing not in MISSING_VIDEO_POLICIES:
            raise ValueError(
                f'missing_videos must be one of '
                f'{MISSING_VIDEO_POLICIES}, got {missing!r}'
            )
        self.root = root or ''
        self.strip_prefix = strip_prefix
        self.check_files = check_files
        self.missing = missing
        self.path_map = _build_map(path_map, strip_prefix)
        self._file_index: Dict[str, Dict[str, List[str]]] = {}

    def _index(self, base: str) -> Dict[str, List[str]]:
        """File name -> paths of every file under ``base`` (walked once)."""
        if base not in self._file_index:
            index: Dict[str, List[str]] = {}
            for dirpath, _, files in os.walk(base or '.', followlinks=True):
                for name in files:
                    index.setdefault(name, []).append(osp.join(dirpath, name))
            self._file_index[base] = index
        return self._file_index[base]

    def _search(self, name: str, base: str) -> List[str]:
        index = self._index(base)
        found = index.get(name, [])
        if not found and not osp.splitext(name)[1]:
            found = [
                p
                for n, ps in index.items()
                if video_stem(n) == name
                for p in ps
            ]
        return found

    def map_path(self, video: str, where: str) -> Tuple[str, str, str]:
        """Map a video path through ``path_map`` without touching the disk.

        Returns:
            tuple[str, str, str]: The matched prefix (normalised), the local
            directory it maps to and the local path.

        Raises:
            AnnotationError: (code ``'unmapped_prefix'``) naming ``where``
            and the path's directory when no prefix matches.
        """
        rel = normalize_video_path(video)
        prefix = match_prefix(rel, self.path_map)
        if prefix is None:
            raise AnnotationError(
                f'{where}: video {video!r} is in {osp.dirname(rel) + "/"!r}, '
                f'which no prefix of path_map matches '
                f'({sorted(self.path_map)}); add a path_map entry for it (or '
                "'' for every other path)",
                code='unmapped_prefix',
            )
        base = osp.join(self.root, self.path_map[prefix])
        rest = rel[len(prefix) :].lstrip('/') if prefix else rel
        return prefix, base, osp.join(base, rest)

    def resolve(self, video: str, where: str) -> Optional[str]:
        """The local path of ``video``; None for a missing video when
        ``missing='skip'``.

        Raises:
            AnnotationError: naming ``where`` for an unmapped prefix, a
            missing video or one whose file name matches several files
            (codes ``'unmapped_prefix'``, ``'video_not_found'``,
            ``'ambiguous_video'``).
        """
        _, base, path = self.map_path(video, where)
        if not self.check_files or osp.isfile(path):
            return path
        found = self._search(osp.basename(path), base)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AnnotationError(
                f'{where}: video {video!r} is not at {path} and its file name '
                f'matches several files under {base!r}: {found[:3]}',
                code='ambiguous_video',
            )
        if self.missing == 'skip':
            return None
        raise AnnotationError(
            f'{where}: video file not found: {path} (also searched by file '
            f'name under {base!r}; check data_root/data_prefix/path_map, or '
            'set check_files=False)',
            code='video_not_found',
        )
