import math

import pytest
import torch
import torch.nn.functional as F

from fgclip_mm.models.losses import DualContrastiveLoss, info_nce
from fgclip_mm.models.utils import text_ids


def _unit(*shape):
    return F.normalize(torch.randn(*shape), dim=-1)


def test_info_nce_equals_direct_cross_entropy_for_distinct_captions():
    img, txt = _unit(5, 8), _unit(5, 8)
    ids = torch.arange(5)
    loss = info_nce(img, txt, torch.tensor(10.0), ids)
    logits = 10.0 * img @ txt.t()
    expected = 0.5 * (
        F.cross_entropy(logits, torch.arange(5))
        + F.cross_entropy(logits.t(), torch.arange(5))
    )
    torch.testing.assert_close(loss, expected)


def test_identical_captions_are_not_negatives():
    img, txt = _unit(4, 8), _unit(4, 8)
    txt[2] = txt[0]  # samples 0 and 2 share a caption
    ids = text_ids(['normal', 'fight', 'normal', 'fire'])
    loss = info_nce(img, txt, torch.tensor(5.0), ids)
    logits = 5.0 * img @ txt.t()
    total = 0.0
    for direction in (logits, logits.t()):
        for i in range(4):
            keep = [j for j in range(4) if j == i or ids[j] != ids[i]]
            row = direction[i, keep]
            total += -(row[keep.index(i)] - torch.logsumexp(row, 0))
    torch.testing.assert_close(loss, total / 8)


def _scales(global_value, region_value):
    return torch.tensor(global_value), torch.tensor(region_value)


def test_loss_keeps_no_parameters():
    assert list(DualContrastiveLoss().parameters()) == []
    assert list(DualContrastiveLoss().state_dict()) == []


def test_each_level_uses_its_own_scale():
    g, r = _scales(7.0, 30.0)
    loss = DualContrastiveLoss(region_weight=1.0)
    v, t = _unit(3, 8), _unit(3, 8)
    reg, rt = _unit(4, 8), _unit(4, 8)
    out = loss(v, t, torch.arange(3), g, reg, rt, torch.arange(4), r)
    torch.testing.assert_close(
        out['loss_global'], info_nce(v, t, torch.tensor(7.0), torch.arange(3))
    )
    torch.testing.assert_close(
        out['loss_region'],
        info_nce(reg, rt, torch.tensor(30.0), torch.arange(4)),
    )
    assert out['logit_scale_global'].item() == 7.0
    assert out['logit_scale_region'].item() == 30.0


def test_weights_scale_each_term_by_the_formula():
    g, r = _scales(10.0, 20.0)
    v, t = _unit(3, 8), _unit(3, 8)
    reg, rt = _unit(4, 8), _unit(4, 8)
    raw_g = info_nce(v, t, g, torch.arange(3))
    raw_r = info_nce(reg, rt, r, torch.arange(4))
    loss = DualContrastiveLoss(region_weight=0.3, global_weight=0.25)
    out = loss(v, t, torch.arange(3), g, reg, rt, torch.arange(4), r)
    torch.testing.assert_close(out['loss_global'], 0.25 * raw_g)
    torch.testing.assert_close(out['loss_region'], 0.3 * raw_r)
    # a zero weight drops the term (region-only / global-only ablations)
    out = DualContrastiveLoss(global_weight=0.0)(
        v, t, torch.arange(3), g, reg, rt, torch.arange(4), r
    )
    assert 'loss_global' not in out and 'loss_region' in out
    out = DualContrastiveLoss(region_weight=0.0)(
        v, t, torch.arange(3), g, reg, rt, torch.arange(4), r
    )
    assert 'loss_region' not in out and 'loss_global' in out


def test_region_embeddings_without_a_region_scale_are_refused():
    v, t = _unit(3, 8), _unit(3, 8)
    with pytest.raises(ValueError, match='without region_scale'):
        DualContrastiveLoss()(
            v,
            t,
            torch.arange(3),
            torch.tensor(5.0),
            _unit(2, 8),
            _unit(2, 8),
            torch.arange(2),
        )


def test_fewer_than_two_regions_give_a_connected_zero():
    loss = DualContrastiveLoss()
    region = _unit(1, 8).requires_grad_()
    log_scale = torch.tensor(2.0, requires_grad=True)
    out = loss(
        _unit(2, 8),
        _unit(2, 8),
        torch.arange(2),
        torch.tensor(5.0),
        region,
        _unit(1, 8),
        torch.arange(1),
        log_scale.exp(),
    )
    assert out['loss_region'].item() == 0.0
    out['loss_region'].backward()
    assert region.grad is not None and log_scale.grad is not None


def _dist_worker(rank, port, world, inputs, out):
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=world,
    )
    try:
        video, text, ids = inputs
        b = video.shape[0] // world
        sl = slice(rank * b, (rank + 1) * b)
        v = video[sl].clone().requires_grad_()
        t = text[sl].clone().requires_grad_()
        log_scale = torch.tensor(math.log(20.0), requires_grad=True)
        loss_module = DualContrastiveLoss(region_weight=0.0)
        loss = loss_module(v, t, ids[sl], log_scale.exp())['loss_global']
        loss.backward()
        out[rank] = (loss.detach(), v.grad, t.grad, log_scale.grad)
    finally:
        dist.destroy_process_group()


def test_two_rank_loss_and_gradients_equal_one_process_on_the_whole_batch():
    import socket

    import torch.multiprocessing as mp

    torch.manual_seed(0)
    world, n = 2, 6
    video, text = _unit(n, 8), _unit(n, 8)
    ids = text_ids(['a', 'b', 'a', 'c', 'd', 'b'])  # duplicates across ranks
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    manager = mp.Manager()
    out = manager.dict()
    mp.start_processes(
        _dist_worker,
        args=(port, world, (video, text, ids), out),
        nprocs=world,
        join=True,
        start_method='fork',
    )
    # oracle: one process, whole batch
    v = video.clone().requires_grad_()
    t = text.clone().requires_grad_()
    log_scale = torch.tensor(math.log(20.0), requires_grad=True)
    single = DualContrastiveLoss(region_weight=0.0)
    loss = single(v, t, ids, log_scale.exp())['loss_global']
    loss.backward()
    # DDP averages over ranks: mean of the rank losses, rank grads / world
    torch.testing.assert_close(
        sum(out[r][0] for r in range(world)) / world, loss
    )
    b = n // world
    for r in range(world):
        torch.testing.assert_close(
            out[r][1] / world, v.grad[r * b : (r + 1) * b]
        )
        torch.testing.assert_close(
            out[r][2] / world, t.grad[r * b : (r + 1) * b]
        )
    torch.testing.assert_close(
        sum(out[r][3] for r in range(world)) / world, log_scale.grad
    )
