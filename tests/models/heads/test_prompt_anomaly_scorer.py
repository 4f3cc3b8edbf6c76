import math

import pytest
import torch

from fgclip_mm.models.heads import (
    PromptAnomalyScorer,
    grid_boxes,
    smooth_scores,
)

# 2-D unit embeddings at hand-picked angles: the normal prompt at 0 degrees,
# the anomaly prompt at 90 degrees, so p_normal = sigmoid(s (cos a - sin a)).
PROMPTS = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
# (B=2, T=2, K=3) box angles in degrees, distinct per item and frame
BOX_ANGLES = [[[10, 80, 40], [70, 5, 30]], [[20, 25, 60], [85, 50, 15]]]
FRAME_ANGLES = [[30, 60], [45, 10]]


def unit(degrees):
    rad = math.radians(degrees)
    return [math.cos(rad), math.sin(rad)]


def p_normal(degrees, scale):
    """Oracle: softmax weight of the normal prompt, by hand."""
    rad = math.radians(degrees)
    normal, anomaly = (
        math.exp(scale * math.cos(rad)),
        math.exp(scale * math.sin(rad)),
    )
    return normal / (normal + anomaly)


def embeddings():
    frames = torch.tensor([[unit(a) for a in row] for row in FRAME_ANGLES])
    boxes = torch.tensor(
        [[[unit(a) for a in frame] for frame in row] for row in BOX_ANGLES]
    )
    return frames, boxes  # (B, T, D), (B, T, K, D)


def run(scorer, global_scale=2.0, region_scale=5.0):
    frames, boxes = embeddings()
    return scorer(
        frames,
        boxes,
        PROMPTS,
        torch.tensor(global_scale),
        torch.tensor(region_scale),
    )


def test_regional_score_at_alpha_zero_is_max_over_boxes_of_1_minus_p_normal():
    scorer = PromptAnomalyScorer(classes=['normal', 'fight'], alpha=0.0)
    scores, probs = run(scorer)
    expected = [
        [max(1 - p_normal(a, 5.0) for a in frame) for frame in row]
        for row in BOX_ANGLES
    ]
    torch.testing.assert_close(scores, torch.tensor(expected))
    # class probabilities are those of the most anomalous box
    best = [
        [max(frame, key=lambda a: 1 - p_normal(a, 5.0)) for frame in row]
        for row in BOX_ANGLES
    ]
    torch.testing.assert_close(
        probs[..., 0],
        torch.tensor([[p_normal(a, 5.0) for a in row] for row in best]),
    )


def test_topk_reduction_is_the_mean_of_the_k_most_anomalous_boxes():
    scorer = PromptAnomalyScorer(
        classes=['normal', 'fight'], alpha=0.0, region_reduce='topk', topk=2
    )
    scores, _ = run(scorer)
    expected = [
        [
            sum(
                sorted((1 - p_normal(a, 5.0) for a in frame), reverse=True)[:2]
            )
            / 2
            for frame in row
        ]
        for row in BOX_ANGLES
    ]
    torch.testing.assert_close(scores, torch.tensor(expected))


def test_alpha_mixes_global_and_regional_scores_with_their_own_scales():
    scorer = PromptAnomalyScorer(classes=['normal', 'fight'], alpha=0.3)
    scores, _ = run(scorer, global_scale=2.0, region_scale=5.0)
    expected = [
        [
            0.3 * (1 - p_normal(fa, 2.0))
            + 0.7 * max(1 - p_normal(a, 5.0) for a in frame)
            for fa, frame in zip(frow, brow)
        ]
        for frow, brow in zip(FRAME_ANGLES, BOX_ANGLES)
    ]
    torch.testing.assert_close(scores, torch.tensor(expected))


def test_global_only_scorer_ignores_the_regions():
    scorer = PromptAnomalyScorer(classes=['normal', 'fight'], alpha=1.0)
    assert not scorer.uses_regions
    scores, _ = run(scorer, global_scale=2.0)
    expected = [[1 - p_normal(a, 2.0) for a in row] for row in FRAME_ANGLES]
    torch.testing.assert_close(scores, torch.tensor(expected))


def test_grid_boxes_cover_the_frame_row_by_row():
    boxes = grid_boxes([2])
    torch.testing.assert_close(
        boxes,
        torch.tensor(
            [
                [0.0, 0.0, 1.0, 1.0],
                [0.0, 0.0, 0.5, 0.5],
                [0.5, 0.0, 1.0, 0.5],
                [0.0, 0.5, 0.5, 1.0],
                [0.5, 0.5, 1.0, 1.0],
            ]
        ),
    )
    assert grid_boxes([2, 3], full_frame=False).shape == (13, 4)


def test_smoothing_is_a_moving_average_with_edge_padding():
    scores = torch.tensor([[0.0, 3.0, 6.0, 0.0]])
    expected = torch.tensor([[1.0, 3.0, 3.0, 2.0]])
    torch.testing.assert_close(smooth_scores(scores, 3), expected)
    assert smooth_scores(scores, 1) is scores


def test_prompt_sentences_fill_the_class_name():
    scorer = PromptAnomalyScorer(
        class_prompts={'normal': ['a {} street'], 'fire': ['flames', '{}']}
    )
    assert scorer.class_names == ['normal', 'fire']
    assert scorer.sentences == [['a normal street'], ['flames', 'fire']]


@pytest.mark.parametrize(
    'kwargs, match',
    [
        (dict(), 'give class_prompts or classes'),
        (dict(classes=['normal']), 'at least one anomaly class'),
        (dict(classes=['n', 'a'], region_reduce='mean'), 'region_reduce'),
        (dict(classes=['n', 'a'], alpha=1.5), 'alpha must be in'),
    ],
)
def test_invalid_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PromptAnomalyScorer(**kwargs)


@pytest.mark.parametrize('kernel', [0, 2, 4, -1])
def test_even_or_non_positive_smoothing_is_refused(kernel):
    """Regression: an even kernel made the smoothed scores one frame short."""
    with pytest.raises(ValueError, match='positive odd number of frames'):
        smooth_scores(torch.rand(2, 8), kernel)


def test_odd_smoothing_keeps_the_length_and_averages_neighbours():
    scores = torch.tensor([[0.0, 0.0, 3.0, 0.0, 0.0]])
    out = smooth_scores(scores, 3)
    assert out.shape == scores.shape
    torch.testing.assert_close(out, torch.tensor([[0.0, 1.0, 1.0, 1.0, 0.0]]))


def test_per_clip_smoothing_is_deprecated_with_a_log_line(monkeypatch):
    """The scorer's smooth_kernel keeps its per-clip behaviour but says
    where the video-level smoothing moved (VADMetric)."""
    import logging
    import warnings

    from fgclip_mm.models.heads import prompt_anomaly_scorer as module

    logged = []
    monkeypatch.setattr(
        module, 'print_log', lambda msg, **kw: logged.append((msg, kw))
    )
    with pytest.warns(DeprecationWarning, match='VADMetric'):
        scorer = PromptAnomalyScorer(classes=['n', 'a'], smooth_kernel=3)
    assert len(logged) == 1 and 'test_evaluator' in logged[0][0]
    assert logged[0][1]['level'] == logging.WARNING
    assert scorer.smooth_kernel == 3
    frames = torch.tensor([[unit(0), unit(90), unit(0), unit(90)]])
    scores, _ = scorer(frames, None, PROMPTS, *[torch.tensor(10.0)] * 2)
    raw = 1 - torch.tensor(
        [[p_normal(a, 10.0) for a in (0, 90, 0, 90)]], dtype=torch.float32
    )
    torch.testing.assert_close(scores, smooth_scores(raw, 3))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        PromptAnomalyScorer(classes=['n', 'a'])  # the default: no warning
    assert len(logged) == 1
