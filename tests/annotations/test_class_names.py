import pytest

from fgclip_mm.annotations import (
    DEMO_CLASSES,
    SHANGHAITECH_CLASSES,
    UCF_CRIME_CLASSES,
    XD_VIOLENCE_CLASSES,
    XD_VIOLENCE_LABEL_CODES,
    class_text,
    get_classes,
    is_normal_class,
)


@pytest.mark.parametrize(
    'name',
    [
        'Normal',
        'normal',
        'Normal_Videos_event',
        'Training_Normal_Videos_Anomaly',
        'Testing_Normal_Videos_Anomaly',
        'normal activity',
        'NormalVideos',
        'normal-scenes',
    ],
)
def test_normal_names(name):
    assert is_normal_class(name)


@pytest.mark.parametrize(
    'name',
    [
        'Abnormal',
        'abnormal_events',
        'ABNORMAL',
        'Anomaly',
        'Abuse',
        'paranormal',
        'Normalization',
        '',
    ],
)
def test_names_containing_normal_as_a_substring_are_not_normal(name):
    """Regression: a substring test made 'Abnormal' the normal class."""
    assert not is_normal_class(name)


def test_every_table_puts_normal_first_and_has_no_duplicates():
    for table in (
        UCF_CRIME_CLASSES,
        XD_VIOLENCE_CLASSES,
        SHANGHAITECH_CLASSES,
        DEMO_CLASSES,
    ):
        assert table[0] == 'Normal'
        assert len(set(table)) == len(table)
        assert not any(is_normal_class(c) for c in table[1:])
    assert len(UCF_CRIME_CLASSES) == 14
    assert XD_VIOLENCE_CLASSES == tuple(XD_VIOLENCE_LABEL_CODES.values())
    assert get_classes('xd_violence') is XD_VIOLENCE_CLASSES
    with pytest.raises(ValueError, match="unknown dataset 'avenue'"):
        get_classes('avenue')


def test_class_text():
    assert class_text('RoadAccidents') == 'road accidents'
    assert class_text('CarAccident') == 'car accident'
    assert class_text('Normal') == 'normal'


def test_msad_table_and_the_merged_training_list():
    from fgclip_mm.annotations import (
        MSAD_CLASSES,
        UCF_MSAD_CLASSES,
        equivalent_class_aliases,
        merge_classes,
    )

    # the 11 anomaly types of MSAD's release (its test list spells them so)
    assert MSAD_CLASSES[1:] == (
        'Assault',
        'Explosion',
        'Fighting',
        'Fire',
        'Object_falling',
        'People_falling',
        'Robbery',
        'Shooting',
        'Traffic_accident',
        'Vandalism',
        'Water_incident',
    )
    assert get_classes('msad') is MSAD_CLASSES
    assert get_classes('ucf_msad') is UCF_MSAD_CLASSES
    # UCF-Crime's 14 in order, then MSAD's new ones; Traffic_accident is
    # RoadAccidents and the shared names are listed once
    assert UCF_MSAD_CLASSES == UCF_CRIME_CLASSES + (
        'Fire',
        'Object_falling',
        'People_falling',
        'Water_incident',
    )
    assert (
        merge_classes(MSAD_CLASSES, UCF_CRIME_CLASSES)[9] == 'Traffic_accident'
    )
    assert merge_classes(('Normal', 'fire'), ('Normal_Videos', 'Fire')) == (
        'Normal',
        'fire',
    )
    assert equivalent_class_aliases(UCF_MSAD_CLASSES) == {
        'Traffic_accident': 'RoadAccidents',
        'CarAccident': 'RoadAccidents',
    }
    assert equivalent_class_aliases(DEMO_CLASSES) == {}
    assert class_text('Object_falling') == 'object falling'
