import os

import pytest

from fgclip_mm.annotations import AnnotationError
from fgclip_mm.datasets.video_paths import VideoPathResolver


def _touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, 'wb').close()


def test_prefix_is_stripped_and_files_found_by_name(tmp_path):
    root = str(tmp_path)
    _touch(f'{root}/Abuse/Abuse001_x264.mp4')
    _touch(f'{root}/moved/Arson001_x264.mp4')
    r = VideoPathResolver(root, strip_prefix='UCF_Crimes/Videos/')
    assert r.resolve('UCF_Crimes/Videos/Abuse/Abuse001_x264.mp4', 'e') == \
        f'{root}/Abuse/Abuse001_x264.mp4'
    # not where the annotation says: found by file name, then by stem
    assert r.resolve('Arson/Arson001_x264.mp4', 'e') == \
        f'{root}/moved/Arson001_x264.mp4'
    assert r.resolve('Arson001_x264', 'e') == \
        f'{root}/moved/Arson001_x264.mp4'


def test_missing_and_ambiguous_videos_name_the_entry(tmp_path):
    root = str(tmp_path)
    _touch(f'{root}/a/x.mp4')
    _touch(f'{root}/b/x.mp4')
    r = VideoPathResolver(root)
    with pytest.raises(AnnotationError, match='entry 4: video .*matches '
                       'several files'):
        r.resolve('c/x.mp4', 'entry 4')
    with pytest.raises(AnnotationError, match='entry 5: video file not found'):
        r.resolve('c/y.mp4', 'entry 5')
    assert VideoPathResolver(root, missing='skip').resolve('y.mp4', 'e') is None
    assert VideoPathResolver(root, check_files=False).resolve(
        'c/y.mp4', 'e') == f'{root}/c/y.mp4'
    with pytest.raises(ValueError, match="missing_videos must be one of"):
        VideoPathResolver(root, missing='warn')
