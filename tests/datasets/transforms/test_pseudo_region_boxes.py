"""GeneratePseudoRegionBoxes changes only the boxes of regions without
annotated keyframes, compared with GenerateRegionBoxes('virtual_mask')."""

import numpy as np
import pytest

from fgclip_mm.datasets.pseudo_boxes import save_pseudo_boxes
from fgclip_mm.datasets.transforms import (
    GeneratePseudoRegionBoxes,
    GenerateRegionBoxes,
)

FPS = 10.0


def sample(video_id, label, box_infos, captions, frames):
    return dict(
        video_id=video_id,
        label=label,
        fps=FPS,
        frame_inds=np.asarray(frames),
        box_infos=box_infos,
        region_captions=captions,
    )


@pytest.fixture
def pseudo_file(tmp_path):
    # a person detected on frames 0, 2, 4 (moving right), none after frame 4;
    # a second one on frame 2 only; the anomalous video has detections too
    rows = {
        'Normal_1': [
            [0, 0.0, 0.0, 0.2, 0.4, 0.9],
            [2, 0.2, 0.0, 0.4, 0.4, 0.9],
            [2, 0.6, 0.5, 0.8, 0.9, 0.8],
            [4, 0.4, 0.0, 0.6, 0.4, 0.9],
        ],
        'Fight_1': [[f, 0.0, 0.0, 0.5, 0.5, 0.9] for f in range(200)],
    }
    return save_pseudo_boxes(str(tmp_path / 'p.json'), rows)


def test_normal_region_gets_the_detections_interpolated(pseudo_file):
    t = GeneratePseudoRegionBoxes(
        pseudo_file, max_regions=2, keyframe_tolerance=0.1, reduce='top'
    )
    out = t(sample('Normal_1', 0, [[]], ['people walk'], [0, 1, 3, 4, 6, 9]))
    # valid within 0.1 s (1 frame) of the detections at frames 0..4
    np.testing.assert_array_equal(out['bbox_mask'][:, 0], [1, 1, 1, 1, 0, 0])
    np.testing.assert_allclose(out['boxes'][1, 0], [0.1, 0, 0.3, 0.4])
    np.testing.assert_allclose(out['boxes'][3, 0], [0.4, 0, 0.6, 0.4])
    assert not out['bbox_mask'][:, 1].any()
    assert out['region_captions'] == ['people walk', '']
    assert out['box_infos'] == [[]]  # the annotation is left unchanged


def test_union_of_the_frame_detections(pseudo_file):
    t = GeneratePseudoRegionBoxes(pseudo_file, max_regions=1)
    out = t(sample('Normal_1', 0, [[]], ['people'], [2]))
    np.testing.assert_allclose(out['boxes'][0, 0], [0.2, 0.0, 0.8, 0.9])


def test_no_detection_means_masked_not_virtual(pseudo_file):
    t = GeneratePseudoRegionBoxes(pseudo_file, max_regions=1)
    out = t(sample('Normal_unknown', 0, [[]], ['people'], [0, 1]))
    assert out is not None and not out['bbox_mask'].any()
    virtual = GenerateRegionBoxes(max_regions=1)(
        sample('Normal_unknown', 0, [[]], ['people'], [0, 1])
    )
    assert virtual['bbox_mask'].all()


def test_annotated_regions_are_treated_as_by_the_method(pseudo_file):
    keyframes = [
        dict(frame=10, bbox=[0.1, 0.1, 0.3, 0.3]),
        dict(frame=20, bbox=[0.3, 0.1, 0.5, 0.3]),
        dict(frame=150, bbox=[0.5, 0.5, 0.7, 0.7]),  # > 5 s later
    ]
    frames = [0, 10, 15, 20, 60, 100, 150, 199]
    captions = ['a fighter', 'the other fighter']
    method = GenerateRegionBoxes(max_regions=2)(
        sample('Fight_1', 1, [keyframes, []], list(captions), frames)
    )
    pseudo = GeneratePseudoRegionBoxes(pseudo_file, max_regions=2)(
        sample('Fight_1', 1, [keyframes, []], list(captions), frames)
    )
    # slot 0 (annotated): identical, including the masked long gap
    np.testing.assert_array_equal(pseudo['boxes'][:, 0], method['boxes'][:, 0])
    np.testing.assert_array_equal(
        pseudo['bbox_mask'][:, 0], method['bbox_mask'][:, 0]
    )
    assert not pseudo['bbox_mask'][4:6, 0].any()
    # slot 1 (no keyframes): masked by the method, detections here
    assert not method['bbox_mask'][:, 1].any()
    assert pseudo['bbox_mask'][:, 1].all()
    np.testing.assert_allclose(pseudo['boxes'][:, 1], [[0, 0, 0.5, 0.5]] * 8)


def test_other_strategies_are_refused(pseudo_file):
    with pytest.raises(ValueError, match="strategy='drop' is not supported"):
        GeneratePseudoRegionBoxes(pseudo_file, strategy='drop')
