"""fgclip_mm.apis: every frame scored, online chunks, prompts, segments."""

import logging
import os.path as osp

import decord
import numpy as np
import pytest
import torch

from fgclip_mm.apis import (
    find_segments,
    inference_vad,
    init_vad_model,
    iter_inference_vad,
    online_latency,
    set_prompts,
)
from fgclip_mm.apis.inference import frame_geometry
from fgclip_mm.datasets.video_io import PyAVReader

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'fgclip_demo.py')
VIDEO = osp.join(REPO, 'tests', 'data', 'videos', 'carphone_distorted.mp4')


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    m = init_vad_model(CONFIG)
    # a non-identity temporal adapter: scores depend on the clip grouping
    torch.nn.init.normal_(m.temporal_adapter.out_proj.weight, std=0.2)
    return m


def test_init_does_not_report_every_parameter():
    # mmengine logs each parameter's initialisation when there is no log
    # file; a user scoring one video should not get those lines
    from mmengine.logging import MMLogger

    messages = []

    class Collect(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    logger = MMLogger.get_current_instance()
    level, handler = logger.level, Collect()
    logger.addHandler(handler)
    try:
        init_vad_model(CONFIG)
    finally:
        logger.removeHandler(handler)
    assert not [m for m in messages if 'init_weights' in m]
    assert logger.level == level


def reference_scores(model, inds, clip_len):
    """Oracle: random access (seek + decode, same swscale resize), manual
    crop/normalise, one ``score_frames`` call per clip."""
    reader = PyAVReader(VIDEO)
    size, (y0, x0) = frame_geometry(model, reader.frame_shape)
    h, w = model.backbone.image_size
    frames = reader.get_frames(inds, size)[:, y0 : y0 + h, x0 : x0 + w]
    reader.close()
    x = torch.from_numpy(frames).permute(0, 3, 1, 2).float()
    mean = model.data_preprocessor.mean.view(1, 3, 1, 1)
    std = model.data_preprocessor.std.view(1, 3, 1, 1)
    x = (x - mean) / std
    out = []
    with torch.no_grad():
        for s in range(0, len(inds), clip_len):
            out.append(model.score_frames(x[None, s : s + clip_len])[0][0])
    return torch.cat(out).numpy()


def test_scores_every_frame_like_clipwise_scoring(model):
    result = inference_vad(model, VIDEO, stride=3, clip_len=4, batch_clips=2)
    n = len(decord.VideoReader(VIDEO))
    assert result.num_frames == n == 120
    np.testing.assert_array_equal(result.frame_inds, np.arange(0, n, 3))
    ref = reference_scores(model, result.frame_inds, 4)
    np.testing.assert_allclose(
        result.scores[result.frame_inds], ref, atol=1e-5
    )
    assert np.ptp(ref) > 1e-4  # the comparison is not trivial
    # in between: linear interpolation of the neighbours
    np.testing.assert_allclose(
        result.scores[1], (2 * ref[0] + ref[1]) / 3, atol=1e-6
    )
    assert result.class_probs.shape == (n, len(result.class_names))
    np.testing.assert_allclose(result.class_probs.sum(1), 1, atol=1e-5)


def test_clip_grouping_matters(model):
    """The adapter mixes a clip's frames: other clips, other scores (so the
    test above checks the grouping, not only the frames)."""
    inds = np.arange(0, 24, 3)
    a = reference_scores(model, inds, 4)
    b = reference_scores(model, inds, 8)
    assert np.abs(a - b).max() > 1e-5


def test_online_chunks_have_bounded_latency(model):
    chunks = list(
        iter_inference_vad(model, VIDEO, stride=2, clip_len=4, batch_clips=3)
    )
    bound = online_latency(2, 4, 3)
    assert bound == 25
    seen = np.concatenate([c.frame_inds for c in chunks])
    np.testing.assert_array_equal(seen, np.arange(0, 120, 2))
    for c in chunks:
        if c.frame_inds.size:
            assert c.frames_read - c.frame_inds[0] <= bound
            assert c.scores.shape == c.frame_inds.shape


def test_prompts_extend_replace_and_encode_once(model, monkeypatch):
    calls = []
    encode = model.backbone.encode_text
    monkeypatch.setattr(
        model.backbone,
        'encode_text',
        lambda texts: calls.append(list(texts)) or encode(texts),
    )
    names = set_prompts(model, ['a person climbing a fence'])
    assert names == [
        'Normal',
        'Explosion',
        'Fighting',
        'a person climbing a fence',
    ]
    for _ in range(2):
        r = inference_vad(
            model, VIDEO, stride=8, prompts=['a person climbing a fence']
        )
        assert r.class_probs.shape[1] == 4
    assert len(calls) == 1 and 'a person climbing a fence' in calls[0]
    names = set_prompts(model, ['a car crash'], mode='replace')
    assert names == ['Normal', 'a car crash']
    assert set_prompts(model, None) == ['Normal', 'Explosion', 'Fighting']
    with pytest.raises(ValueError, match='mode must be one of'):
        set_prompts(model, ['x'], mode='append')


def test_find_segments_against_hand_made_runs():
    scores = np.array([0.1, 0.6, 0.9, 0.2, 0.7, 0.7, 0.1, 0.95])
    probs = np.zeros((8, 3))
    probs[:, 0] = 0.2
    probs[:4, 1], probs[:4, 2] = 0.7, 0.1
    probs[4:, 1], probs[4:, 2] = 0.1, 0.7
    segs = find_segments(
        scores, probs, ['N', 'A', 'B'], fps=2.0, threshold=0.5, top_k=2
    )
    assert [(s['start_frame'], s['end_frame']) for s in segs] == [
        (7, 7),
        (1, 2),
    ]
    assert segs[1]['peak_frame'] == 2 and segs[1]['class_name'] == 'A'
    assert segs[0]['class_name'] == 'B' and segs[0]['start_s'] == 3.5


def test_heatmaps_of_the_peak_frames(model):
    r = inference_vad(model, VIDEO, stride=4, heatmaps=True, threshold=2.0)
    assert r.segments == []  # nothing above 2: the top frame is shown
    (item,) = r.heatmaps
    assert item['frame_index'] == int(np.argmax(r.scores))
    gh, gw = model.backbone.patch_grid
    assert item['patch_scores'].shape == (gh, gw)
    assert item['frame'].shape == (*model.backbone.image_size, 3)
    k = model.scorer.boxes.shape[0]
    assert item['box_scores'].shape == (k,)
    assert ((item['patch_scores'] >= 0) & (item['patch_scores'] <= 1)).all()


def test_scores_are_smoothed_over_the_video_after_the_clips(model):
    """smooth_kernel smooths the merged scores across clip boundaries (the
    oracle: scipy over the clip-wise reference); the default comes from the
    test config's VADMetric; even kernels fail before any decoding."""
    from mmengine.config import Config
    from scipy.ndimage import uniform_filter1d

    from fgclip_mm.apis.results import config_smooth_kernel

    r = inference_vad(
        model, VIDEO, stride=3, clip_len=4, batch_clips=2, smooth_kernel=5
    )
    assert r.smooth_kernel == 5
    ref = reference_scores(model, r.frame_inds, 4)
    smooth = uniform_filter1d(ref.astype(np.float64), 5, mode='nearest')
    np.testing.assert_allclose(r.scores[r.frame_inds], smooth, atol=1e-5)
    per_clip = np.concatenate(
        [
            uniform_filter1d(
                ref[s : s + 4].astype(np.float64), 5, mode='nearest'
            )
            for s in range(0, len(ref), 4)
        ]
    )
    assert np.abs(per_clip - smooth).max() > 1e-4  # crosses clips
    assert config_smooth_kernel(model) == 1
    stub = type('Stub', (), {})()
    stub.cfg = Config(
        dict(test_evaluator=[dict(type='VADMetric', smooth_kernel=7)])
    )
    assert config_smooth_kernel(stub) == 7
    with pytest.raises(ValueError, match='positive odd number'):
        inference_vad(model, 'no-such-video.mp4', smooth_kernel=4)
