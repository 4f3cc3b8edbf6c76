import os

import pytest

from fgclip_mm.annotations import AnnotationError
from fgclip_mm.datasets.video_paths import (
    VideoPathResolver,
    match_prefix,
    normalize_video_path,
)


def _touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, 'wb').close()


def test_prefix_is_stripped_and_files_found_by_name(tmp_path):
    root = str(tmp_path)
    _touch(f'{root}/Abuse/Abuse001_x264.mp4')
    _touch(f'{root}/moved/Arson001_x264.mp4')
    r = VideoPathResolver(root, strip_prefix='UCF_Crimes/Videos/')
    assert (
        r.resolve('UCF_Crimes/Videos/Abuse/Abuse001_x264.mp4', 'e')
        == f'{root}/Abuse/Abuse001_x264.mp4'
    )
    # not where the annotation says: found by file name, then by stem
    assert (
        r.resolve('Arson/Arson001_x264.mp4', 'e')
        == f'{root}/moved/Arson001_x264.mp4'
    )
    assert r.resolve('Arson001_x264', 'e') == f'{root}/moved/Arson001_x264.mp4'


def test_missing_and_ambiguous_videos_name_the_entry(tmp_path):
    root = str(tmp_path)
    _touch(f'{root}/a/x.mp4')
    _touch(f'{root}/b/x.mp4')
    r = VideoPathResolver(root)
    with pytest.raises(
        AnnotationError, match='entry 4: video .*matches several files'
    ):
        r.resolve('c/x.mp4', 'entry 4')
    with pytest.raises(AnnotationError, match='entry 5: video file not found'):
        r.resolve('c/y.mp4', 'entry 5')
    assert (
        VideoPathResolver(root, missing='skip').resolve('y.mp4', 'e') is None
    )
    assert (
        VideoPathResolver(root, check_files=False).resolve('c/y.mp4', 'e')
        == f'{root}/c/y.mp4'
    )
    with pytest.raises(ValueError, match='missing_videos must be one of'):
        VideoPathResolver(root, missing='warn')


# ------------------------------------------ path_map and URLs (issue 11)
@pytest.mark.parametrize(
    'video,path',
    [
        ('/data/local-files/?d=MSAD/Fire/Fire_1.mp4', 'MSAD/Fire/Fire_1.mp4'),
        ('/data/local-files?d=MSAD%2FFire%2Fa%20b.mp4', 'MSAD/Fire/a b.mp4'),
        (
            'http://localhost:8080/data/local-files/?d=MSAD/x+y.mp4&t=1',
            'MSAD/x+y.mp4',
        ),
        ('file:///mnt/videos/a%20b.mp4', '/mnt/videos/a b.mp4'),
        ('file:///C:/videos/a.mp4', 'C:/videos/a.mp4'),
        ('Abuse/Abuse%20001.mp4', 'Abuse/Abuse 001.mp4'),
        (' UCF\\Abuse\\a.mp4 ', 'UCF/Abuse/a.mp4'),
        ('UCF/100%/a.mp4', 'UCF/100%/a.mp4'),
    ],
)
def test_annotation_tool_urls_are_read_as_paths(video, path):
    assert normalize_video_path(video) == path


def test_longest_prefix_wins_on_whole_components():
    assert match_prefix('a/b/c.mp4', ['a', 'a/b', '']) == 'a/b'
    assert match_prefix('ab/c.mp4', ['a', '']) == ''
    assert match_prefix('ab/c.mp4', ['a']) is None
    r = VideoPathResolver(
        '/root',
        check_files=False,
        path_map={
            'UCF/': 'ucf',
            'UCF/Abuse': '/abs/abuse',
            'file:///mnt/msad/': 'msad',
        },
    )
    assert r.resolve('UCF/Abuse/a.mp4', 'e') == '/abs/abuse/a.mp4'
    assert r.resolve('UCF/Arson/b.mp4', 'e') == '/root/ucf/Arson/b.mp4'
    # the key may be written in any URL form, like the paths
    assert r.resolve('/mnt/msad/Fire/c.mp4', 'e') == '/root/msad/Fire/c.mp4'


def test_an_unmapped_prefix_names_the_entry_and_the_folder():
    r = VideoPathResolver('/root', check_files=False, path_map={'UCF/': ''})
    with pytest.raises(
        AnnotationError,
        match=r'entry 7 \(x\): video '
        r"'/data/local-files/\?d=MSAD/Fire/a.mp4' is in "
        r"'MSAD/Fire/', which no prefix of path_map matches "
        r"\(\['UCF'\]\)",
    ) as e:
        r.resolve('/data/local-files/?d=MSAD/Fire/a.mp4', 'entry 7 (x)')
    assert e.value.code == 'unmapped_prefix'
    r = VideoPathResolver(
        '/root', check_files=False, path_map={'UCF/': '', '': 'other'}
    )
    assert r.resolve('MSAD/a.mp4', 'e') == '/root/other/MSAD/a.mp4'


def test_strip_prefix_is_shorthand_for_a_path_map():
    r = VideoPathResolver(
        '/root', strip_prefix='UCF_Crimes/Videos/', check_files=False
    )
    assert r.path_map == {'UCF_Crimes/Videos': '', '': ''}
    assert (
        r.resolve('UCF_Crimes/Videos/Abuse/a.mp4', 'e') == '/root/Abuse/a.mp4'
    )
    assert r.resolve('Other/a.mp4', 'e') == '/root/Other/a.mp4'


def test_merged_file_with_both_path_styles_resolves_under_mapped_dirs(
    tmp_path,
):
    from ._merged_files import PATH_MAP, clean_entries, touch_videos

    entries = clean_entries()
    expected = touch_videos(str(tmp_path), entries)
    _touch(f'{tmp_path}/msad/moved/Fire_9.mp4')
    r = VideoPathResolver(str(tmp_path), path_map=PATH_MAP)
    assert [
        r.resolve(e['video'], f'entry {i}') for i, e in enumerate(entries)
    ] == expected
    assert all(
        p.startswith((f'{tmp_path}/ucf/', f'{tmp_path}/msad/'))
        for p in expected
    )
    # a moved file is searched for under its source's folder only
    assert (
        r.resolve('/data/local-files/?d=MSAD/Fire/Fire_9.mp4', 'e')
        == f'{tmp_path}/msad/moved/Fire_9.mp4'
    )
    with pytest.raises(AnnotationError, match='not found') as e:
        r.resolve('UCF_Crimes_Videos/UCF_Crimes/Videos/Fire_9.mp4', 'e')
    assert e.value.code == 'video_not_found'
