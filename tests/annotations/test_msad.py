import pytest

from fgclip_mm.annotations import (
    AnnotationError,
    msad_class_of,
    msad_video_name,
    parse_msad_annotations,
    read_msad_split,
)

from .._paths import write_text

HEADER = (
    'name,scenario,total frames,starting frame of anomaly,'
    'ending frame of anomaly\n'
)


def test_official_csv_rows_become_half_open_events(tmp_path):
    path = write_text(
        tmp_path,
        'anomaly_annotation.csv',
        HEADER + 'Assault_1,shop,426,55,426\n'
        'Object_falling_3.mp4,street,300,10,40\n'
        'Object_falling_3,street,300,100,120\n',
    )
    ann = parse_msad_annotations(path)
    assert list(ann) == ['Assault_1', 'Object_falling_3']
    assert ann['Assault_1'] == dict(
        class_name='Assault',
        intervals=[(55, 426)],
        num_frames=426,
        scenario='shop',
    )
    # a second row of a video is a second event
    assert ann['Object_falling_3']['intervals'] == [(10, 40), (100, 120)]


def test_tab_separated_with_empty_event_cells(tmp_path):
    path = write_text(
        tmp_path,
        'a.tsv',
        HEADER.replace(',', '\t')
        + 'Fire_2\tforest\t200\t\t\nMSAD_normal_testing_4\tx\t'
        '90\t-1\t-1\n',
    )
    ann = parse_msad_annotations(path)
    assert ann['Fire_2']['intervals'] == []
    assert ann['MSAD_normal_testing_4']['class_name'] == 'Normal'


@pytest.mark.parametrize(
    'row,match',
    [
        (
            'Fire_2,f,200,50,201',
            r'event \(50, 201\) must satisfy 0 <= start < '
            r'end <= total frames \(200\)',
        ),
        ('Fire_2,f,200,60,60', r'event \(60, 60\)'),
        (
            'Fire_2,f,200,1.5,9',
            "'starting frame of anomaly' must be an integer",
        ),
        ('Parkour_2,f,200,1,9', "'Parkour_2' names no MSAD class"),
        ('Fire_2,f,0,1,9', 'a row needs a name and a positive frame count'),
    ],
)
def test_malformed_rows_name_file_and_line(tmp_path, row, match):
    path = write_text(tmp_path, 'a.csv', HEADER + 'Fire_1,f,10,1,2\n' + row)
    with pytest.raises(AnnotationError, match=f'a.csv:3: {match}'):
        parse_msad_annotations(path)


def test_missing_columns_are_named(tmp_path):
    path = write_text(tmp_path, 'a.csv', 'name,start,end\nFire_1,1,2\n')
    with pytest.raises(
        AnnotationError,
        match=r"missing columns \['total "
        "frames', 'starting frame of anomaly'",
    ):
        parse_msad_annotations(path)


def test_names_classes_and_split_lists(tmp_path):
    assert msad_video_name('/s/MSAD-I3D/Assault_2_i3d.npy') == 'Assault_2'
    assert msad_video_name('People_falling_10_swin.npy') == 'People_falling_10'
    assert msad_class_of('Object_falling_14') == 'Object_falling'
    assert msad_class_of('traffic_accident_2.mp4') == 'Traffic_accident'
    assert msad_class_of('MSAD_normal_testing_3') == 'Normal'
    with pytest.raises(ValueError, match='names no MSAD class'):
        msad_class_of('Abuse001_x264')
    path = write_text(
        tmp_path,
        'test.list',
        '/x/abnormal/Fire_2_i3d.npy\n\n'
        '/x/normal/MSAD_normal_testing_1_i3d.npy\n',
    )
    assert read_msad_split(path) == ['Fire_2', 'MSAD_normal_testing_1']
    path = write_text(tmp_path, 'dup.list', 'Fire_2.mp4\n/y/Fire_2_i3d.npy\n')
    with pytest.raises(
        AnnotationError,
        match="dup.list:2: video 'Fire_2' already listed on line 1",
    ):
        read_msad_split(path)
