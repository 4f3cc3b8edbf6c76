import math

import pytest
import torch

from fgclip_mm.models.utils import LogitScales


def test_scales_start_at_init_and_are_clamped_to_max():
    scales = LogitScales()
    glob, region = scales()
    assert math.isclose(glob.item(), 100.0, rel_tol=1e-5)
    assert math.isclose(region.item(), 100.0, rel_tol=1e-5)
    with torch.no_grad():
        scales.global_log_scale.fill_(10.0)
        scales.region_log_scale.fill_(-3.0)
    glob, region = scales()
    assert math.isclose(glob.item(), 100.0, rel_tol=1e-5)  # clamp at max
    assert region.item() == 1.0  # clamp at log-scale 0


def test_each_level_reads_its_own_log_scale():
    scales = LogitScales(init=1.0, max=5.0)
    with torch.no_grad():
        scales.global_log_scale.fill_(math.log(7.0))
        scales.region_log_scale.fill_(math.log(30.0))
    glob, region = scales()
    assert math.isclose(glob.item(), 7.0, rel_tol=1e-5)
    assert math.isclose(region.item(), 30.0, rel_tol=1e-5)
    assert math.isclose(scales.scale('global').item(), 7.0, rel_tol=1e-5)


def test_learnable_scales_are_parameters_fixed_ones_saved_buffers():
    learned = LogitScales(init=2.0)
    assert sorted(n for n, _ in learned.named_parameters()) == [
        'global_log_scale',
        'region_log_scale',
    ]
    learned()[1].backward()
    assert learned.global_log_scale.grad is None
    assert learned.region_log_scale.grad is not None
    fixed = LogitScales(init=2.0, learnable=False)
    assert list(fixed.parameters()) == []
    assert sorted(fixed.state_dict()) == [
        'global_log_scale',
        'region_log_scale',
    ]
    assert math.isclose(fixed()[0].item(), math.exp(2.0), rel_tol=1e-6)


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="'global' or 'region'"):
        LogitScales().scale('frame')
