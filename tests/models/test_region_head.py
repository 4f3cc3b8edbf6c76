import torch

from fgclip_mm.models.heads import RoIRegionHead
from fgclip_mm.models.heads import region_head as region_head_module


def test_full_frame_box_equals_mean_patch_embedding():
    head = RoIRegionHead(embed_dims=16, output_size=2)
    dense = torch.randn(3, 16, 14, 14)
    feats = head.pool_boxes(dense, torch.tensor([[0., 0., 1., 1.]] * 3),
                            torch.arange(3))
    torch.testing.assert_close(feats, dense.mean(dim=(2, 3)), rtol=1e-5, atol=1e-6)


def test_only_valid_slots_reach_roi_align(monkeypatch):
    calls = []
    real = region_head_module.roi_align

    def spy(inp, rois, *args, **kwargs):
        calls.append(rois.clone())
        return real(inp, rois, *args, **kwargs)

    monkeypatch.setattr(region_head_module, 'roi_align', spy)
    head = RoIRegionHead(embed_dims=8)
    b, t, n = 2, 4, 3
    dense = torch.randn(b, t, 8, 7, 7)
    boxes = torch.rand(b, t, n, 4)
    boxes[..., 2:] = boxes[..., :2] + 0.1
    boxes[0, :, 2] = float('nan')  # garbage in invalid slots must never be read
    mask = torch.zeros(b, t, n, dtype=torch.bool)
    mask[0, 1:3, 0] = True
    mask[1, :, 1] = True
    emb, index = head(dense, boxes, mask)
    assert len(calls) == 1
    rois = calls[0]
    assert rois.shape[0] == int(mask.sum())
    assert torch.isfinite(rois).all()
    assert index.tolist() == [[0, 0], [1, 1]]
    assert emb.shape == (2, 8)


def test_region_embedding_is_mean_over_valid_frames_at_init():
    head = RoIRegionHead(embed_dims=8)
    dense = torch.randn(1, 3, 8, 7, 7)
    boxes = torch.tensor([0., 0., 1., 1.]).expand(1, 3, 1, 4).clone()
    mask = torch.tensor([[[True], [False], [True]]])
    emb, _ = head(dense, boxes, mask)
    expected = dense[0, [0, 2]].mean(dim=(2, 3)).mean(0)
    torch.testing.assert_close(emb[0], expected, rtol=1e-5, atol=1e-6)
