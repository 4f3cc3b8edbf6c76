"""Masked per-video snippet operations shared by the baselines' losses."""

import torch
import torch.nn.functional as F

from fgclip_mm.models.utils.snippet_ops import (
    masked_max,
    probability_bce,
    topk_mean,
    topk_per_video,
)


def test_probability_bce_equals_torch_bce():
    gen = torch.Generator().manual_seed(0)
    probs = torch.rand(20, generator=gen) * 0.98 + 0.01
    targets = (torch.rand(20, generator=gen) > 0.5).float()
    torch.testing.assert_close(
        probability_bce(probs, targets), F.binary_cross_entropy(probs, targets)
    )


def test_topk_mean_respects_mask_and_length_dependent_k():
    values = torch.tensor(
        [[0.1, 0.9, 0.5, 0.7, 9.0], [0.3, 0.2, 0.8, 0.6, 0.4]]
    )
    mask = torch.tensor(
        [[True, True, True, True, False], [True, True, True, True, True]]
    )
    out = topk_mean(values, mask, lambda n: n // 2)  # k = 2, 2
    torch.testing.assert_close(out, torch.tensor([0.8, 0.7]))
    stacked = torch.stack([values, -values], dim=-1)  # (N, T, 2)
    out3 = topk_mean(stacked, mask, lambda n: n - 1)  # k = 3, 4
    expected = torch.tensor(
        [
            [(0.9 + 0.7 + 0.5) / 3, -(0.1 + 0.5 + 0.7) / 3],
            [(0.8 + 0.6 + 0.4 + 0.3) / 4, -(0.2 + 0.3 + 0.4 + 0.6) / 4],
        ]
    )
    torch.testing.assert_close(out3, expected)
    idx = topk_per_video(values, mask, lambda n: 1)
    assert [int(i) for i in idx] == [1, 2]
    torch.testing.assert_close(
        masked_max(values, mask), torch.tensor([0.9, 0.8])
    )


def test_k_is_clamped_to_the_video_length():
    values = torch.tensor([[0.2, 0.4, 5.0]])
    mask = torch.tensor([[True, True, False]])
    torch.testing.assert_close(
        topk_mean(values, mask, lambda n: 10), torch.tensor([0.3])
    )
