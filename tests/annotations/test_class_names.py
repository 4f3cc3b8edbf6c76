import pytest

from fgclip_mm.annotations import (DEMO_CLASSES, SHANGHAITECH_CLASSES,
                                   UCF_CRIME_CLASSES, XD_VIOLENCE_CLASSES,
                                   XD_VIOLENCE_LABEL_CODES, class_text,
                                   get_classes, is_normal_class)


@pytest.mark.parametrize('name', [
    'Normal', 'normal', 'Normal_Videos_event', 'Training_Normal_Videos_Anomaly',
    'Testing_Normal_Videos_Anomaly', 'normal activity', 'NormalVideos',
    'normal-scenes'
])
def test_normal_names(name):
    assert is_normal_class(name)


@pytest.mark.parametrize('name', [
    'Abnormal', 'abnormal_events', 'ABNORMAL', 'Anomaly', 'Abuse',
    'paranormal', 'Normalization', ''
])
def test_names_containing_normal_as_a_substring_are_not_normal(name):
    """Regression: a substring test made 'Abnormal' the normal class."""
    assert not is_normal_class(name)


def test_every_table_puts_normal_first_and_has_no_duplicates():
    for table in (UCF_CRIME_CLASSES, XD_VIOLENCE_CLASSES,
                  SHANGHAITECH_CLASSES, DEMO_CLASSES):
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
