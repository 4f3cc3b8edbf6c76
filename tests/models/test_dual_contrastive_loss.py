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
    loss = info_nce(img, txt, torch.tensor(10.0), ids, ids)
    logits = 10.0 * img @ txt.t()
    expected = 0.5 * (F.cross_entropy(logits, torch.arange(5)) +
                      F.cross_entropy(logits.t(), torch.arange(5)))
    torch.testing.assert_close(loss, expected)


def test_identical_captions_are_not_negatives():
    img, txt = _unit(4, 8), _unit(4, 8)
    txt[2] = txt[0]  # samples 0 and 2 share a caption
    ids = text_ids(['normal', 'fight', 'normal', 'fire'])
    loss = info_nce(img, txt, torch.tensor(5.0), ids, ids)
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
    raw = info_nce(r, rt, torch.tensor(100.0), torch.arange(4), torch.arange(4))
    torch.testing.assert_close(out['loss_region'], 0.3 * raw)


def test_fewer_than_two_regions_give_a_connected_zero():
    loss = DualContrastiveLoss()
    region = _unit(1, 8).requires_grad_()
    out = loss(_unit(2, 8), _unit(2, 8), torch.arange(2), region, _unit(1, 8),
               torch.arange(1))
    assert out['loss_region'].item() == 0.0
    out['loss_region'].backward()
    assert region.grad is not None and loss.log_scales.grad is not None
