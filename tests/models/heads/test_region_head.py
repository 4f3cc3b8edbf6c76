import torch

from fgclip_mm.models.heads import RoIRegionHead, boxes_to_rois
from fgclip_mm.models.heads import region_head as region_head_module


def test_full_frame_box_equals_mean_patch_embedding():
    head = RoIRegionHead(embed_dims=16, output_size=2)
    dense = torch.randn(3, 16, 14, 14)
    feats = head.pool_boxes(
        dense, torch.tensor([[0.0, 0.0, 1.0, 1.0]] * 3), torch.arange(3)
    )
    torch.testing.assert_close(
        feats, dense.mean(dim=(2, 3)), rtol=1e-5, atol=1e-6
    )


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
    boxes[0, :, 2] = float(
        'nan'
    )  # garbage in invalid slots must never be read
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
    boxes = torch.tensor([0.0, 0.0, 1.0, 1.0]).expand(1, 3, 1, 4).clone()
    mask = torch.tensor([[[True], [False], [True]]])
    emb, _ = head(dense, boxes, mask)
    expected = dense[0, [0, 2]].mean(dim=(2, 3)).mean(0)
    torch.testing.assert_close(emb[0], expected, rtol=1e-5, atol=1e-6)


# A 3 x 5 patch grid (h=3 rows, w=5 columns): not square, so swapping x/y or
# the width/height scale moves a box onto other cells.
GRID_H, GRID_W = 3, 5


def cell_box(rows, cols):
    """Normalised box covering patch rows [r0, r1) and columns [c0, c1)."""
    (r0, r1), (c0, c1) = rows, cols
    return [c0 / GRID_W, r0 / GRID_H, c1 / GRID_W, r1 / GRID_H]


def cell_mean(frame, rows, cols):
    """Oracle: mean of the covered cells of one (D, h, w) frame."""
    return frame[:, rows[0] : rows[1], cols[0] : cols[1]].mean(dim=(1, 2))


def test_boxes_to_rois_scales_x_by_width_and_y_by_height():
    boxes = torch.tensor([cell_box((0, 2), (1, 3))])
    rois = boxes_to_rois(boxes, torch.tensor([4]), (GRID_H, GRID_W))
    torch.testing.assert_close(rois, torch.tensor([[4.0, 1.0, 0.0, 3.0, 2.0]]))


def test_sub_box_feature_is_the_mean_of_its_own_frames_covered_cells():
    torch.manual_seed(0)
    head = RoIRegionHead(embed_dims=4)
    b, t = 2, 3
    dense = torch.randn(b, t, 4, GRID_H, GRID_W)
    # slot 0 of item 0: rows 0-1, cols 1-3; slot 1 of item 1: row 2, cols 3-4
    # each valid in two frames, each item's frames differ
    cells = {(0, 0): ((0, 2), (1, 4)), (1, 1): ((2, 3), (3, 5))}
    frames = {(0, 0): [0, 2], (1, 1): [1, 2]}
    boxes = torch.zeros(b, t, 2, 4)
    mask = torch.zeros(b, t, 2, dtype=torch.bool)
    for (i, n), (rows, cols) in cells.items():
        boxes[i, :, n] = torch.tensor(cell_box(rows, cols))
        mask[i, frames[(i, n)], n] = True
    emb, index = head(dense, boxes, mask)
    assert index.tolist() == [[0, 0], [1, 1]]
    for r, (i, n) in enumerate(index.tolist()):
        rows, cols = cells[(i, n)]
        expected = torch.stack(
            [cell_mean(dense[i, f], rows, cols) for f in frames[(i, n)]]
        ).mean(0)
        torch.testing.assert_close(emb[r], expected, rtol=1e-5, atol=1e-6)


def test_box_embeddings_pool_every_box_in_every_frame_of_its_own_item():
    torch.manual_seed(1)
    head = RoIRegionHead(embed_dims=4)
    b, t = 2, 2
    dense = torch.randn(b, t, 4, GRID_H, GRID_W)
    regions = [((0, 3), (0, 5)), ((0, 2), (1, 4)), ((1, 3), (4, 5))]
    boxes = torch.tensor([cell_box(rows, cols) for rows, cols in regions])
    emb = head.box_embeddings(dense, boxes)
    assert emb.shape == (b, t, len(regions), 4)
    for i in range(b):
        for f in range(t):
            for k, (rows, cols) in enumerate(regions):
                torch.testing.assert_close(
                    emb[i, f, k],
                    cell_mean(dense[i, f], rows, cols),
                    rtol=1e-5,
                    atol=1e-6,
                )


def test_adapter_hidden_zero_means_twice_embed_dims():
    assert RoIRegionHead(embed_dims=8).adapter[1].out_features == 16
    assert (
        RoIRegionHead(embed_dims=8, adapter_hidden=5).adapter[1].out_features
        == 5
    )


def test_use_adapter_false_is_plain_pooling_and_true_applies_the_adapter():
    feats = torch.randn(3, 8)
    plain = RoIRegionHead(embed_dims=8, use_adapter=False)
    assert not hasattr(plain, 'adapter')
    assert plain.adapt(feats) is feats
    head = RoIRegionHead(embed_dims=8)
    torch.testing.assert_close(head.adapt(feats), feats)  # identity at init
    torch.nn.init.ones_(head.adapter[-1].bias)
    torch.testing.assert_close(head.adapt(feats), feats + 1.0)


def _trained_head(seed=0):
    """A head whose adapter is not the identity."""
    torch.manual_seed(seed)
    head = RoIRegionHead(embed_dims=4)
    for p in head.adapter.parameters():
        torch.nn.init.normal_(p, std=0.5)
    return head


def test_one_frame_region_gets_its_test_time_embedding():
    """Train path (forward) and test path (box_embeddings) agree on a
    one-frame clip, at init and with a trained adapter."""
    torch.manual_seed(2)
    dense = torch.randn(1, 1, 4, GRID_H, GRID_W)
    box = torch.tensor([cell_box((0, 2), (1, 4))])
    for head in (RoIRegionHead(embed_dims=4), _trained_head()):
        train, _ = head(
            dense, box.view(1, 1, 1, 4), torch.ones(1, 1, 1, dtype=torch.bool)
        )
        test = head.box_embeddings(dense, box)[0, 0]
        torch.testing.assert_close(train, test, rtol=1e-5, atol=1e-6)


def test_adapter_sees_single_frame_features_in_training_as_in_testing():
    """Training feeds the adapter each valid frame's RoI feature, the same
    inputs (and so the same norms) as scoring those frames; a mean over
    frames (the old input) is shorter. Each region's embedding is the mean
    of its frames' adapted features."""
    head = _trained_head(1)
    torch.manual_seed(3)
    t = 6
    dense = torch.randn(1, t, 4, GRID_H, GRID_W)
    box = torch.tensor([cell_box((0, 3), (0, 3))])
    seen = []
    head.adapter.register_forward_hook(lambda m, i, o: seen.append(i[0]))
    emb, _ = head(
        dense, box.expand(1, t, 1, 4), torch.ones(1, t, 1, dtype=torch.bool)
    )
    test_emb = head.box_embeddings(dense, box)[0, :, 0]  # (T, D)
    train_in, test_in = seen
    assert train_in.shape == test_in.shape == (t, 4)
    torch.testing.assert_close(train_in.norm(dim=-1), test_in.norm(dim=-1))
    torch.testing.assert_close(emb[0], test_emb.mean(0), rtol=1e-5, atol=1e-6)
    mean_norm = train_in.mean(0).norm()
    assert mean_norm < 0.8 * train_in.norm(dim=-1).mean()


def test_box_embeddings_follow_new_boxes_and_grid_sizes():
    # the pooling weights are cached per box set and grid: each new one
    # must be pooled with its own weights
    torch.manual_seed(2)
    head = RoIRegionHead(embed_dims=4, use_adapter=False)
    dense = torch.randn(1, 1, 4, GRID_H, GRID_W)
    for regions in ([((0, 3), (0, 5))], [((1, 3), (4, 5)), ((0, 1), (0, 1))]):
        boxes = torch.tensor([cell_box(rows, cols) for rows, cols in regions])
        emb = head.box_embeddings(dense, boxes)
        for k, (rows, cols) in enumerate(regions):
            torch.testing.assert_close(
                emb[0, 0, k], cell_mean(dense[0, 0], rows, cols)
            )
