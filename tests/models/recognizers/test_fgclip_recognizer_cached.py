"""FGCLIPRecognizer trained from cached features = from frames."""

import copy

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope

import fgclip_mm  # noqa: F401
from fgclip_mm.models.recognizers.fgclip_recognizer import cached_region_pool

init_default_scope('mmaction')
T, N = 4, 2


@pytest.fixture(scope='module')
def model():
    cfg = Config.fromfile('configs/fgclip_demo_cached.py').model
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    for p in model.region_head.adapter[-1].parameters():  # not identity
        torch.nn.init.normal_(p, std=0.2)
    return model.train()


def make_batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    captions = [['a red car', 'a dog'], ['a quiet street', '']]
    for i in range(2):
        inputs.append(
            torch.randint(
                0, 256, (T, 3, 64, 64), generator=g, dtype=torch.uint8
            )
        )
        ds = ActionDataSample()
        xy = torch.rand(T, N, 2, generator=g) * 0.5
        ds.boxes = torch.cat(
            [xy, xy + 0.3 + 0.2 * torch.rand(T, N, 2, generator=g)], -1
        )
        ds.bbox_mask = torch.rand(T, N, generator=g) > 0.3
        ds.bbox_mask[:, 1] &= i == 0  # sample 1: one region only
        ds.boxes[~ds.bbox_mask] = 0
        ds.set_metainfo(
            dict(global_caption=f'video {i}', region_captions=captions[i])
        )
        samples.append(ds)
    return inputs, samples


def with_cache(model, batch, samples):
    """The samples with the features tools/extract_fgclip_cache.py stores:
    global embeddings and RoIAlign box features of the dense map."""
    glob, dense = model.extract_feat(batch)
    cached = copy.deepcopy(samples)
    for b, ds in enumerate(cached):
        frames = torch.arange(T).repeat_interleave(N)
        feats = model.region_head.pool_boxes(
            dense[b], ds.boxes.reshape(-1, 4), frames
        ).view(T, N, -1)
        ds.frame_feats = glob[b]
        ds.region_feats = feats * ds.bbox_mask[..., None]
    return cached


def test_loss_from_the_cache_equals_the_loss_from_frames(model):
    inputs, samples = make_batch()
    data = model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples), True
    )
    raw = model.loss(data['inputs'], samples)
    cached = with_cache(model, data['inputs'], samples)
    placeholder = torch.zeros(2, T, 3, 0, 0)
    from_cache = model.loss(placeholder, cached)
    assert raw.keys() == from_cache.keys() and len(raw) >= 2
    for key in raw:
        assert torch.allclose(raw[key], from_cache[key], atol=1e-5), key
    # the same parameters receive the same gradients
    sum(raw.values()).backward()
    grads = {
        n: p.grad.clone()
        for n, p in model.named_parameters()
        if p.grad is not None
    }
    model.zero_grad()
    sum(from_cache.values()).backward()
    assert grads and all(
        torch.allclose(p.grad, grads[n], atol=1e-5)
        for n, p in model.named_parameters()
        if n in grads
    )
    model.zero_grad()


def test_cached_pool_is_the_heads_pooling_before_its_adapter(model):
    inputs, samples = make_batch(seed=1)
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples))
    _, dense = model.extract_feat(data['inputs'])
    boxes = torch.stack([ds.boxes for ds in samples])
    mask = torch.stack([ds.bbox_mask for ds in samples])
    plain = MODELS.build(
        dict(
            type='RoIRegionHead',
            embed_dims=64,
            output_size=2,
            use_adapter=False,
        )
    )
    expect, expect_index = plain(dense, boxes, mask)
    cached = with_cache(model, data['inputs'], samples)
    feats = torch.stack([ds.region_feats for ds in cached])
    got, index = cached_region_pool(feats, mask)
    assert torch.equal(index, expect_index)
    assert torch.allclose(got, expect, atol=1e-5)


def test_predict_from_cached_samples_is_refused(model):
    inputs, samples = make_batch()
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples))
    cached = with_cache(model, data['inputs'], samples)
    with pytest.raises(NotImplementedError, match='test on the videos'):
        model.predict(torch.zeros(2, T, 3, 0, 0), cached)


def test_cached_features_with_a_trainable_image_tower_are_refused(model):
    inputs, samples = make_batch()
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples))
    cached = with_cache(model, data['inputs'], samples)
    model.backbone.frozen = False
    try:
        with pytest.raises(ValueError, match='need a frozen image tower'):
            model.loss(torch.zeros(2, T, 3, 0, 0), cached)
    finally:
        model.backbone.frozen = True
