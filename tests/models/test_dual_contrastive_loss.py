import math

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
    expected = 0.5 * (F.cross_entropy(logits, torch.arange(5)) +
                      F.cross_entropy(logits.t(), torch.arange(5)))
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


def test_loss_weights_and_scale_clamp():
    loss = DualContrastiveLoss(region_weight=0.3)
    assert math.isclose(loss.scale('global').item(), 100.0, rel_tol=1e-5)
    with torch.no_grad():
        loss.log_scales.fill_(10.0)
    assert math.isclose(loss.scale('region').item(), 100.0, rel_tol=1e-5)
    v, t = _unit(3, 8), _unit(3, 8)
    r, rt = _unit(4, 8), _unit(4, 8)
    out = loss(v, t, torch.arange(3), r, rt, torch.arange(4))
    raw = info_nce(r, rt, torch.tensor(100.0), torch.arange(4))
    torch.testing.assert_close(out['loss_region'], 0.3 * raw)


def test_fewer_than_two_regions_give_a_connected_zero():
    loss = DualContrastiveLoss()
    region = _unit(1, 8).requires_grad_()
    out = loss(_unit(2, 8), _unit(2, 8), torch.arange(2), region, _unit(1, 8),
               torch.arange(1))
    assert out['loss_region'].item() == 0.0
    out['loss_region'].backward()
    assert region.grad is not None and loss.log_scales.grad is not None


def _dist_worker(rank, port, world, inputs, out):
    import torch.distributed as dist
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=world)
    try:
        video, text, ids = inputs
        b = video.shape[0] // world
        sl = slice(rank * b, (rank + 1) * b)
        v = video[sl].clone().requires_grad_()
        t = text[sl].clone().requires_grad_()
        loss_module = DualContrastiveLoss(region_weight=0.0)
        loss = loss_module(v, t, ids[sl])['loss_global']
        loss.backward()
        out[rank] = (loss.detach(), v.grad, t.grad, loss_module.log_scales.grad)
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
    mp.start_processes(_dist_worker, args=(port, world, (video, text, ids), out),
                       nprocs=world, join=True, start_method='fork')
    # oracle: one process, whole batch
    v = video.clone().requires_grad_()
    t = text.clone().requires_grad_()
    single = DualContrastiveLoss(region_weight=0.0)
    loss = single(v, t, ids)['loss_global']
    loss.backward()
    # DDP averages over ranks: mean of the rank losses, rank grads / world
    torch.testing.assert_close(sum(out[r][0] for r in range(world)) / world, loss)
    b = n // world
    for r in range(world):
        torch.testing.assert_close(out[r][1] / world, v.grad[r * b:(r + 1) * b])
        torch.testing.assert_close(out[r][2] / world, t.grad[r * b:(r + 1) * b])
    torch.testing.assert_close(sum(out[r][3] for r in range(world)) / world,
                               single.log_scales.grad)
