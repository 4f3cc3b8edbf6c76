import os.path as osp

import pytest

from fgclip_mm.annotations import (
    AnnotationError,
    is_xd_violence_normal,
    parse_xd_violence_annotations,
    read_video_list,
)

from .._paths import write_text


def test_xd_annotations_500_lines_with_stray_mp4(data_root):
    path = osp.join(data_root, 'xd_violence', 'annotations.txt')
    with open(path) as f:
        lines = [line for line in f if line.strip()]
    assert len(lines) == 500
    assert sum(line.split()[0].endswith('.mp4') for line in lines) == 14
    ann = parse_xd_violence_annotations(path)
    assert len(ann) == 500
    assert not any(v.endswith('.mp4') for v in ann)
    assert ann['v=S-7rRLrxnVQ__#1_label_B4-0-0'] == [(0, 1517), (1970, 3038)]
    assert ann['v=U6MC8JJJZSY__#1_label_G-0-0'] == [(150, 779)]
    assert max(len(v) for v in ann.values()) > 2  # variable number of pairs


def test_xd_test_list_has_500_violent_and_300_normal(data_root):
    ann = parse_xd_violence_annotations(
        osp.join(data_root, 'xd_violence', 'annotations.txt')
    )
    test = read_video_list(osp.join(data_root, 'xd_violence', 'test_list.txt'))
    assert len(test) == 800
    normal = [v for v in test if is_xd_violence_normal(v)]
    violent = [v for v in test if not is_xd_violence_normal(v)]
    assert (len(violent), len(normal)) == (500, 300)
    assert set(violent) == set(ann)


def test_xd_normal_recognised_by_label_a_only():
    assert is_xd_violence_normal('Foo__#00-01_label_A')
    assert is_xd_violence_normal('Foo__#00-01_label_A.mp4')
    assert not is_xd_violence_normal('Foo__#00-01_label_B1-A-0')
    assert not is_xd_violence_normal('Foo__#00-01_label_G-0-0')
    assert not is_xd_violence_normal('A_movie_without_label')


@pytest.mark.parametrize(
    'line, reason',
    [
        ('v=x_label_B1-0-0 10 20 30', 'start/end pairs'),
        ('v=x_label_B1-0-0', 'start/end pairs'),
        ('v=x_label_B1-0-0 10 2x', 'must be an integer'),
        ('v=x_label_A 10 20', 'normal'),
    ],
)
def test_xd_malformed_line_names_file_and_line(tmp_path, line, reason):
    path = write_text(
        tmp_path, 'annotations.txt', 'v=ok_label_B2-0-0 1 2\n\n' + line + '\n'
    )
    with pytest.raises(AnnotationError, match=reason) as info:
        parse_xd_violence_annotations(path)
    assert f'{path}:3' in str(info.value)
