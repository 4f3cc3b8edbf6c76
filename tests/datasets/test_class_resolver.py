import pytest

from fgclip_mm.annotations import UCF_CRIME_CLASSES, AnnotationError
from fgclip_mm.datasets.class_resolver import ClassResolver


def test_class_from_nearest_folder_then_the_normal_rule():
    r = ClassResolver(UCF_CRIME_CLASSES,
                      class_aliases={'Road': 'RoadAccidents'})
    assert r.from_path('Videos/Abuse/Abuse001_x264.mp4') == 1
    assert r.from_path('Videos/abuse/x.mp4') == 1  # case-insensitive
    assert r.from_path('Videos/Road/x.mp4') == UCF_CRIME_CLASSES.index(
        'RoadAccidents')
    assert r.from_path('Training_Normal_Videos_Anomaly/n1.mp4') == 0
    assert r.from_path('Normal_Videos_event/Fighting/x.mp4') == 7
    assert r.from_path('x.mp4') is None


@pytest.mark.parametrize('folder', ['Abnormal', 'abnormal_events', 'Abnormal'
                                    '_Videos'])
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
    with pytest.raises(AnnotationError, match=r"e: field 'label' = 2 is not "
                       r'a class index \(0..1\)'):
        r.of_entry(dict(video='a/b.mp4', label=2), 'e')
    with pytest.raises(AnnotationError, match=r"field 'label' = 'Smoke' is "
                       'not one of the classes'):
        r.of_entry(dict(video='a/b.mp4', label='Smoke'), 'e')
    with pytest.raises(AnnotationError, match='must be a class name or index'):
        r.of_entry(dict(video='a/b.mp4', label=True), 'e')
    with pytest.raises(AnnotationError, match=r"field 'label' \(the class\) "
                       'is missing'):
        r.of_entry(dict(video='Fire/b.mp4'), 'e')


def test_auto_uses_the_field_when_present_else_the_path():
    r = ClassResolver(('Normal', 'Fire', 'Smoke'))
    assert r.of_entry(dict(video='Fire/b.mp4', label='Smoke'), 'e') == 2
    assert r.of_entry(dict(video='Fire/b.mp4'), 'e') == 1


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="label_source must be one of"):
        ClassResolver(('Normal', ), label_source='folder')
    with pytest.raises(ValueError, match=r"class_aliases\['Car'\] = 'Cars' "
                       'is not one of the classes'):
        ClassResolver(('Normal', 'Car'), class_aliases={'Car': 'Cars'})
