"""Readers of the community's feature lists, on excerpts of the real files
(tests/data/feature_lists/README.md)."""

import os.path as osp

import pytest

from fgclip_mm.annotations import (
    SHANGHAITECH_CLASSES,
    UCF_CRIME_CLASSES,
    XD_VIOLENCE_CLASSES,
    AnnotationError,
)
from fgclip_mm.datasets.feature_lists import (
    class_from_label_text,
    class_from_name,
    detect_list_format,
    feature_video_id,
    map_feature_path,
    read_path_list,
    read_vadclip_csv,
)

LISTS = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'data', 'feature_lists'
)


@pytest.mark.parametrize(
    'path,expected',
    [
        (
            'G:\\UCF_Test_ten_crop_i3d\\Abuse028_x264_i3d.npy',
            ('Abuse028_x264', None),
        ),
        (
            '/home/yu/yu_ssd/SH_Test_ten_crop_i3d/01_0015_i3d.npy',
            ('01_0015', None),
        ),
        ('/x/Abuse/Abuse001_x264__7.npy', ('Abuse001_x264', 7)),
        (
            '/f/Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6__3.npy',
            ('Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6', 3),
        ),
    ],
)
def test_feature_video_id(path, expected):
    assert feature_video_id(path) == expected


def test_rtfm_list_crlf_windows_paths():
    recs = read_path_list(osp.join(LISTS, 'ucf-i3d.list'))
    assert [r['video_id'] for r in recs] == [
        'Abuse001_x264',
        'Abuse002_x264',
        'Abuse003_x264',
        'Vandalism049_x264',
        'Vandalism050_x264',
        'Normal_Videos001_x264',
        'Normal_Videos002_x264',
        'Normal_Videos949_x264',
        'Normal_Videos950_x264',
    ]
    assert recs[0]['paths'] == [
        'G:\\UCF_Train_ten_crop_i3d\\Abuse001_x264_i3d.npy'
    ]
    assert recs[0]['crop_ids'] == [None]
    assert [r['lines'][0] for r in recs] == list(range(1, 10))


def test_vadclip_csv_groups_crops_in_order():
    recs = read_vadclip_csv(osp.join(LISTS, 'ucf_CLIP_rgb.csv'))
    assert [r['video_id'] for r in recs] == [
        'Abuse001_x264',
        'Normal_Videos950_x264',
    ]
    for rec in recs:
        assert rec['crop_ids'] == list(range(10))
        assert [feature_video_id(p)[1] for p in rec['paths']] == list(
            range(10)
        )
    assert recs[0]['label_text'] == 'Abuse'
    assert recs[1]['label_text'] == 'Normal'
    assert recs[0]['lines'] == list(range(2, 12))
    test = read_vadclip_csv(osp.join(LISTS, 'ucf_CLIP_rgbtest.csv'))
    assert [r['crop_ids'] for r in test] == [[5]] * 4


def test_shuffled_crop_rows_are_sorted(tmp_path):
    rows = ['path,label'] + [
        f'/a/V/Abuse001_x264__{k}.npy,Abuse' for k in (3, 0, 2, 1)
    ]
    f = tmp_path / 'l.csv'
    f.write_text('\n'.join(rows) + '\n')
    (rec,) = read_vadclip_csv(str(f))
    assert rec['crop_ids'] == [0, 1, 2, 3]
    assert rec['lines'] == [3, 5, 4, 2]


@pytest.mark.parametrize(
    'rows,match',
    [
        (
            ['/a/Abuse001_x264__0.npy,Abuse', '/a/Abuse001_x264__0.npy,Abuse'],
            r'l\.csv:3: crop 0 of video .Abuse001_x264. is listed twice',
        ),
        (
            [
                '/a/Abuse001_x264__0.npy,Abuse',
                '/a/Abuse001_x264__1.npy,Normal',
            ],
            r'l\.csv:3: video .Abuse001_x264. has label .Normal. here',
        ),
        (['/a/Abuse001_x264__0.npy'], r'l\.csv:2: expected "path.npy,label"'),
    ],
)
def test_vadclip_csv_errors_name_the_line(tmp_path, rows, match):
    f = tmp_path / 'l.csv'
    f.write_text('\n'.join(['path,label'] + rows) + '\n')
    with pytest.raises(AnnotationError, match=match):
        read_vadclip_csv(str(f))


def test_path_list_errors_name_the_line(tmp_path):
    f = tmp_path / 'x.list'
    f.write_text('/a/Abuse001_x264_i3d.npy\n/a/notes.txt\n')
    with pytest.raises(AnnotationError, match=r'x\.list:2: expected the path'):
        read_path_list(str(f))
    f.write_text('/a/Abuse001_x264_i3d.npy\n/b/Abuse001_x264_i3d.npy\n')
    with pytest.raises(AnnotationError, match=r'x\.list:2: video .* twice'):
        read_path_list(str(f))


def test_map_feature_path():
    win = 'G:\\UCF_Train_ten_crop_i3d\\Abuse001_x264_i3d.npy'
    assert (
        map_feature_path(win, {'G:\\UCF_Train_ten_crop_i3d\\': '/d/tr'})
        == '/d/tr/Abuse001_x264_i3d.npy'
    )
    # longest prefix wins, either separator in the key
    assert (
        map_feature_path(
            win, {'G:/': '/wrong', 'G:/UCF_Train_ten_crop_i3d': '/d/tr'}
        )
        == '/d/tr/Abuse001_x264_i3d.npy'
    )
    assert (
        map_feature_path(win, None, '/feat') == '/feat/Abuse001_x264_i3d.npy'
    )
    clip = '/home/xbgydx/Desktop/UCFClipFeatures/Abuse/Abuse001_x264__0.npy'
    assert (
        map_feature_path(clip, None, '/feat', keep_dirs=1)
        == '/feat/Abuse/Abuse001_x264__0.npy'
    )
    assert map_feature_path(clip) == clip


@pytest.mark.parametrize(
    'video,classes,expected',
    [
        ('Abuse028_x264', UCF_CRIME_CLASSES, 'Abuse'),
        ('RoadAccidents001_x264', UCF_CRIME_CLASSES, 'RoadAccidents'),
        ('Normal_Videos_941_x264', UCF_CRIME_CLASSES, 'Normal'),
        ('Normal_Videos001_x264', UCF_CRIME_CLASSES, 'Normal'),
        (
            'A.Beautiful.Mind.2001__#00-01-45_00-02-50_label_A',
            XD_VIOLENCE_CLASSES,
            'Normal',
        ),
        (
            'Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6',
            XD_VIOLENCE_CLASSES,
            'Explosion',
        ),
        ('v=38GQ9L2meyE__#1_label_B6-0-0', XD_VIOLENCE_CLASSES, 'CarAccident'),
        (
            'Explosion_test_000',
            ('Normal', 'Explosion', 'Fighting'),
            'Explosion',
        ),
        ('01_0015', SHANGHAITECH_CLASSES, None),
    ],
)
def test_class_from_name(video, classes, expected):
    assert class_from_name(video, classes) == expected


def test_class_from_name_unknown_code():
    with pytest.raises(ValueError, match="label code 'B6' names no class"):
        class_from_name('x__#1_label_B6-0-0', ('Normal', 'Fighting'))


def test_class_from_label_text():
    assert class_from_label_text('Abuse', UCF_CRIME_CLASSES) == 'Abuse'
    assert class_from_label_text('normal', UCF_CRIME_CLASSES) == 'Normal'
    assert class_from_label_text('A', XD_VIOLENCE_CLASSES) == 'Normal'
    assert class_from_label_text('B4-0-0', XD_VIOLENCE_CLASSES) == 'Riot'
    with pytest.raises(ValueError, match="label 'Fire' names no class"):
        class_from_label_text('Fire', UCF_CRIME_CLASSES)


def test_detect_list_format():
    assert detect_list_format('a/index.json') == 'cache'
    assert detect_list_format('ucf_CLIP_rgb.csv') == 'vadclip'
    assert detect_list_format('ucf-i3d.list') == 'path_list'
