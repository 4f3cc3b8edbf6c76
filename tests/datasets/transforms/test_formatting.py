import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from fgclip_mm.datasets.transforms import PackFGCLIPInputs


def results(label=1, t=4, n=2, test=False):
    r = dict(
        imgs=np.random.randint(0, 255, (t, 32, 48, 3), dtype=np.uint8),
        label=label,
        video_id=f'vid{label}',
        total_frames=100,
        frame_inds=np.arange(t) * 3,
        boxes=np.random.rand(t, n, 4).astype(np.float32),
        bbox_mask=np.ones((t, n), bool),
        global_caption='g',
        region_captions=['r1', ''][:n],
        short_caption=None,
        is_anomaly=label != 0,
        filename='x.mp4',
        img_shape=(32, 48),
    )
    if test:
        r.update(
            anomaly_intervals=np.array([[5, 9]]),
            class_name='Abuse',
            clip_index=0,
            num_clips=3,
        )
    return r


def test_pack_fields_follow_the_interface():
    r = results(test=True)
    out = PackFGCLIPInputs()(r)
    inputs, ds = out['inputs'], out['data_samples']
    assert inputs.dtype == torch.uint8 and inputs.shape == (4, 3, 32, 48)
    assert torch.equal(
        inputs[2].permute(1, 2, 0), torch.from_numpy(r['imgs'][2])
    )
    assert ds.gt_label.tolist() == [1] and ds.gt_label.dtype == torch.long
    assert ds.frame_inds.dtype == torch.long and ds.frame_inds.tolist() == [
        0,
        3,
        6,
        9,
    ]
    assert ds.boxes.dtype == torch.float32 and ds.boxes.shape == (4, 2, 4)
    assert ds.bbox_mask.dtype == torch.bool and ds.bbox_mask.shape == (4, 2)
    assert ds.video_id == 'vid1' and ds.total_frames == 100
    assert ds.global_caption == 'g' and ds.region_captions == ['r1', '']
    assert ds.short_caption is None and ds.is_anomaly is True
    assert ds.class_name == 'Abuse'
    np.testing.assert_array_equal(ds.anomaly_intervals, [[5, 9]])
    assert ds.clip_index == 0 and ds.filename == 'x.mp4'


def test_pack_without_boxes_gives_zero_region_slots():
    r = results(label=0)
    for key in ('boxes', 'bbox_mask', 'region_captions'):
        r.pop(key)
    ds = PackFGCLIPInputs()(r)['data_samples']
    assert ds.boxes.shape == (4, 0, 4) and ds.bbox_mask.shape == (4, 0)
    assert ds.region_captions == [] and ds.is_anomaly is False


def test_collate_and_action_data_preprocessor_give_btchw():
    from mmaction.models import ActionDataPreprocessor

    batch = pseudo_collate(
        [PackFGCLIPInputs()(results(1)), PackFGCLIPInputs()(results(0))]
    )
    pre = ActionDataPreprocessor(
        mean=[122.77, 116.75, 104.09],
        std=[68.5, 66.63, 70.32],
        format_shape='NCHW',
    )
    out = pre(batch, training=True)
    assert out['inputs'].shape == (2, 4, 3, 32, 48)
    assert out['inputs'].dtype == torch.float32
    assert [d.gt_label.item() for d in out['data_samples']] == [1, 0]
    assert out['data_samples'][0].boxes.shape == (4, 2, 4)
