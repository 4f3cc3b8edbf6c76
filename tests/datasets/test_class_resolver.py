import pytest

from fgclip_mm.annotations import UCF_CRIME_CLASSES, AnnotationError
from fgclip_mm.datasets.class_resolver import ClassResolver


def test_class_from_nearest_folder_then_the_normal_rule():
    r = ClassResolver(
        UCF_CRIME_CLASSES, class_aliases={'Road': 'RoadAccidents'}
    )
    assert r.from_path('Videos/Abuse/Abuse001_x264.mp4') == 1
    assert r.from_path('Videos/abuse/x.mp4') == 1  # case-insensitive
    assert r.from_path('Videos/Road/x.mp4') == UCF_CRIME_CLASSES.index(
        'RoadAccidents'
    )
    assert r.from_path('Training_Normal_Videos_Anomaly/n1.mp4') == 0
    assert r.from_path('Normal_Videos_event/Fighting/x.mp4') == 7
    assert r.from_path('x.mp4') is None


@pytest.mark.parametrize(
    'folder', ['Abnormal', 'abnormal_events', 'Abnormal_Videos']
)
def test_abnormal_folder_is_not_the_normal_class(folder):
    """Regression: any folder containing 'normal' used to map to class 0."""
    r = ClassResolver(UCF_CRIME_CLASSES)
    assert r.from_path(f'{folder}/v.mp4') is None
    with pytest.raises(AnnotationError, match='cannot infer the class'):
        r.of_entry(dict(video=f'{folder}/v.mp4'), 'entry 0')
    assert r.index_or_normal(folder) is None


def test_class_field_by_name_or_index():
    r = ClassResolver(('Normal', 'Fire'), label_source='field')
    assert r.of_entry(dict(video='a/b.mp4', label='fire'), 'e') == 1
    assert r.of_entry(dict(video='a/b.mp4', label=0), 'e') == 0
    with pytest.raises(
        AnnotationError,
        match=r"e: field 'label' = 2 is not "
        r'a class index \(0..1\)',
    ):
        r.of_entry(dict(video='a/b.mp4', label=2), 'e')
    with pytest.raises(
        AnnotationError,
        match=r"field 'label' = 'Smoke' is "
        'not one of the classes',
    ):
        r.of_entry(dict(video='a/b.mp4', label='Smoke'), 'e')
    with pytest.raises(AnnotationError, match='must be a class name or index'):
        r.of_entry(dict(video='a/b.mp4', label=True), 'e')
    with pytest.raises(
        AnnotationError,
        match=r"field 'label' \(the class\) "
        'is missing',
    ):
        r.of_entry(dict(video='Fire/b.mp4'), 'e')


def test_auto_uses_the_field_when_present_else_the_path():
    r = ClassResolver(('Normal', 'Fire', 'Smoke'))
    assert r.of_entry(dict(video='Fire/b.mp4', label='Smoke'), 'e') == 2
    assert r.of_entry(dict(video='Fire/b.mp4'), 'e') == 1


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='label_source must be one of'):
        ClassResolver(('Normal',), label_source='folder')
    with pytest.raises(
        ValueError,
        match=r"class_aliases\['Car'\] = 'Cars' "
        'is not one of the classes',
    ):
        ClassResolver(('Normal', 'Car'), class_aliases={'Car': 'Cars'})


# --------------------------------------- class tables per source (issue 11)
def merged_resolver(**kwargs):
    from fgclip_mm.annotations import UCF_MSAD_CLASSES

    from ._merged_files import CLASS_SOURCES

    return ClassResolver(UCF_MSAD_CLASSES, sources=CLASS_SOURCES, **kwargs)


def test_each_source_reads_its_own_table_then_maps_to_the_training_list():
    from fgclip_mm.annotations import UCF_MSAD_CLASSES as C

    r = merged_resolver()
    msad = '/data/local-files/?d=MSAD/'
    ucf = 'UCF_Crimes_Videos/UCF_Crimes/Videos/'
    cases = {
        f'{msad}Traffic_accident/Traffic_accident_2.mp4': 'RoadAccidents',
        f'{msad}Water_incident%2FWater_incident_4.mp4': 'Water_incident',
        f'{msad}MSAD_normal_training/n_1.mp4': 'Normal',
        f'{msad}flat/Object_falling_3.mp4': 'Object_falling',  # file name
        f'{ucf}RoadAccidents/RoadAccidents001_x264.mp4': 'RoadAccidents',
        f'{ucf}Testing_Normal_Videos_Anomaly/Normal_Videos_1_x264.mp4': 'Normal',  # noqa: E501
    }
    for video, cls in cases.items():
        assert C[r.of_entry(dict(video=video), 'e')] == cls, video
    assert r.source_of(f'{msad}Fire/a.mp4') == 'msad'
    assert r.source_of('elsewhere/a.mp4') is None
    # an integer label is an index into the source's table
    assert (
        C[r.of_entry(dict(video=f'{msad}x.mp4', label=9), 'e')]
        == 'RoadAccidents'
    )


def test_a_class_outside_the_sources_table_is_unknown():
    r = merged_resolver()
    with pytest.raises(
        AnnotationError,
        match=r"entry 3 \(source 'ucf_crime'"
        r'\): cannot infer the class',
    ) as e:
        r.of_entry(
            dict(
                video='UCF_Crimes_Videos/UCF_Crimes/Videos/Fire/'
                'Fire013_x264.mp4'
            ),
            'entry 3',
        )
    assert e.value.code == 'unknown_class'
    with pytest.raises(
        AnnotationError,
        match="field 'label' = 'Riot' is not one of the classes",
    ) as e:
        r.of_entry(
            dict(video='/data/local-files/?d=MSAD/a.mp4', label='Riot'), 'e'
        )
    assert e.value.code == 'unknown_class'
    # MSAD's Fire is not a class of UCF-Crime's list: named, not dropped
    from fgclip_mm.annotations import UCF_CRIME_CLASSES

    r = ClassResolver(UCF_CRIME_CLASSES, sources={'MSAD/': 'msad'})
    with pytest.raises(
        AnnotationError,
        match="class 'Fire' of source 'msad' is not one of the classes",
    ):
        r.of_entry(dict(video='MSAD/Fire/Fire_1.mp4'), 'e')


def test_equivalent_names_are_aliases_and_user_aliases_win():
    r = ClassResolver(UCF_CRIME_CLASSES)
    road = UCF_CRIME_CLASSES.index('RoadAccidents')
    assert r.index('Traffic_accident') == road
    assert r.index('caraccident') == road
    r = ClassResolver(
        UCF_CRIME_CLASSES, class_aliases={'Traffic_accident': 'Vandalism'}
    )
    assert r.index('Traffic_accident') == UCF_CRIME_CLASSES.index('Vandalism')
