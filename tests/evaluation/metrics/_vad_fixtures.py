"""Synthetic test predictions shared by the VADMetric tests."""

from typing import List

import numpy as np
import torch

#: (video_id, total_frames, intervals, class_name)
VIDEOS = [
    ('Abuse001', 130, [(20, 70)], 'Abuse'),
    ('Arson002', 97, [(0, 10), (50, 97)], 'Arson'),
    ('Abuse003', 64, [(40, 200)], 'Abuse'),  # annotated past the end
    ('Normal004', 150, [], 'Normal'),
    ('Normal005', 83, [], 'Normal'),
    ('Normal006', 40, [], 'Normal'),
]


def make_samples(
    seed: int = 0, clip_len: int = 16, stride: int = 4
) -> List[dict]:
    """Clips covering each video with overlapping windows of sampled frames.

    Returns:
        list[dict]: The data samples (model outputs as the mmengine
        Evaluator passes them: dicts of tensors), in a shuffled order.
    """
    rng = np.random.default_rng(seed)
    samples = []
    for vid, n, intervals, cls in VIDEOS:
        # one smooth latent score per frame, higher inside events
        dense = rng.random(n) * 0.5
        for s, e in intervals:
            dense[s : min(e, n)] += 0.4
        sampled = np.unique(np.r_[np.arange(0, n, stride), n - 1])
        start = 0
        while start < len(sampled):
            inds = sampled[start : start + clip_len]
            samples.append(
                dict(
                    video_id=vid,
                    frame_inds=torch.from_numpy(inds),
                    pred_frame_scores=torch.from_numpy(dense[inds]).float(),
                    total_frames=n,
                    anomaly_intervals=np.asarray(
                        intervals, dtype=np.int64
                    ).reshape(-1, 2),
                    class_name=cls,
                    gt_label=torch.tensor([0 if cls == 'Normal' else 1]),
                )
            )
            start += clip_len // 2  # clips overlap by half
    order = rng.permutation(len(samples))
    return [samples[i] for i in order]
