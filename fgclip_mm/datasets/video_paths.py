"""Where the videos named in an annotation file are on this machine."""
import os
import os.path as osp
from typing import Dict, List, Optional

from ..annotations import AnnotationError, video_stem

__all__ = ['VideoPathResolver', 'MISSING_VIDEO_POLICIES']

#: What a video that cannot be found does: an error, or a skip.
MISSING_VIDEO_POLICIES = ('error', 'skip')


class VideoPathResolver:
    """Turns an annotation's video path into a local file path.

    The path is joined to ``root`` after removing ``strip_prefix``. A video
    that is not there is looked up by file name (or stem, for names without
    an extension) under ``root``, walked once and cached; several matches
    are an error.

    Args:
        root (str): Directory the annotation's paths are relative to.
        strip_prefix (str, optional): Leading part of the annotation's paths
            to remove first. Defaults to None.
        check_files (bool): Check that the file exists (and search for it).
            When False paths are only joined. Defaults to True.
        missing (str): ``'error'`` or ``'skip'`` (:meth:`resolve` returns
            None). Defaults to ``'error'``.
    """

    def __init__(self,
                 root: str,
                 strip_prefix: Optional[str] = None,
                 check_files: bool = True,
                 missing: str = 'error') -> None:
        if missing not in MISSING_VIDEO_POLICIES:
            raise ValueError(f'missing_videos must be one of '
                             f'{MISSING_VIDEO_POLICIES}, got {missing!r}')
        self.root = root or ''
        self.strip_prefix = strip_prefix
        self.check_files = check_files
        self.missing = missing
        self._file_index: Optional[Dict[str, List[str]]] = None

    def _index(self) -> Dict[str, List[str]]:
        """File name -> paths of every file under ``root`` (walked once)."""
        if self._file_index is None:
            self._file_index = {}
            for dirpath, _, files in os.walk(self.root or '.',
                                             followlinks=True):
                for name in files:
                    self._file_index.setdefault(name, []).append(
                        osp.join(dirpath, name))
        return self._file_index

    def _search(self, base: str) -> List[str]:
        index = self._index()
        found = index.get(base, [])
        if not found and not osp.splitext(base)[1]:
            found = [
                p for n, ps in index.items() if video_stem(n) == base
                for p in ps
            ]
        return found

    def resolve(self, video: str, where: str) -> Optional[str]:
        """The local path of ``video``; None for a missing video when
        ``missing='skip'``.

        Raises:
            AnnotationError: naming ``where`` for a missing video (or one
            whose file name matches several files).
        """
        rel = video.strip().replace('\\', '/')
        if self.strip_prefix and rel.startswith(self.strip_prefix):
            rel = rel[len(self.strip_prefix):].lstrip('/')
        path = osp.join(self.root, rel)
        if not self.check_files or osp.isfile(path):
            return path
        found = self._search(osp.basename(rel))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AnnotationError(
                f'{where}: video {video!r} is not at {path} and its file name '
                f'matches several files under {self.root!r}: {found[:3]}')
        if self.missing == 'skip':
            return None
        raise AnnotationError(
            f'{where}: video file not found: {path} (also searched by file '
            f'name under {self.root!r}; check data_root/data_prefix/'
            'strip_prefix, or set check_files=False)')
