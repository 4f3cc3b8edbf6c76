"""A synthetic feature-level weakly supervised VAD task for the baselines.

Normal videos: i.i.d. Gaussian snippet features. Anomalous videos: the same,
plus a random contiguous stretch of 10-30% of the snippets shifted along one
fixed direction. Only the video label is used for training; the snippet
labels score the result.
"""

import contextlib
import math
from typing import Dict, Iterator, List, Tuple

import torch
from mmaction.structures import ActionDataSample
from sklearn.metrics import roc_auc_score


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Tiny models train faster on one thread (no intra-op sync overhead)."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def make_task(
    num_videos: int,
    num_snippets: int = 32,
    dims: int = 32,
    crops: int = 1,
    shift: float = 3.5,
    seed: int = 0,
    num_classes: int = 1,
) -> Dict:
    """Half normal, half anomalous videos (labels 1..num_classes).

    Returns:
        dict: ``inputs`` (N, T, C, D), ``labels`` (N,), ``snippet_labels``
        (N, T) and ``samples`` (ActionDataSample list).
    """
    direction = torch.randn(
        dims, generator=torch.Generator().manual_seed(1234)
    )
    direction = direction / direction.norm()
    gen = torch.Generator().manual_seed(seed)
    feats = torch.randn(num_videos, num_snippets, crops, dims, generator=gen)
    labels = torch.zeros(num_videos, dtype=torch.long)
    snippet_labels = torch.zeros(num_videos, num_snippets, dtype=torch.long)
    lo, hi = math.ceil(0.1 * num_snippets), int(0.3 * num_snippets)
    for i in range(num_videos // 2, num_videos):
        length = int(torch.randint(lo, hi + 1, (1,), generator=gen))
        start = int(
            torch.randint(0, num_snippets - length + 1, (1,), generator=gen)
        )
        feats[i, start : start + length] += shift * direction
        snippet_labels[i, start : start + length] = 1
        labels[i] = 1 + (i % num_classes)
    samples = []
    for i in range(num_videos):
        ds = ActionDataSample().set_gt_label(int(labels[i]))
        ds.set_metainfo(
            dict(
                video_id=f'v{i}', snippet_length=16, num_snippets=num_snippets
            )
        )
        samples.append(ds)
    return dict(
        inputs=feats,
        labels=labels,
        snippet_labels=snippet_labels,
        samples=samples,
    )


def snippet_auc(model, task: Dict) -> float:
    """Snippet-level ROC AUC of the model's tensor-mode scores."""
    model.eval()
    with torch.no_grad(), one_thread():
        scores = model(task['inputs'], task['samples'], mode='tensor')
    return float(
        roc_auc_score(
            task['snippet_labels'].flatten().numpy(), scores.flatten().numpy()
        )
    )


def train(
    model,
    task: Dict,
    steps: int = 100,
    lr: float = 1e-3,
    batch_size: int = 16,
    weight_decay: float = 0.0,
) -> List[float]:
    """Adam through the recognizer's ``loss`` mode on balanced batches.

    Returns:
        list[float]: the total loss of every step.
    """
    gen = torch.Generator().manual_seed(0)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    history = []
    model.train()
    with one_thread():
        for _ in range(steps):
            history.append(_step(model, task, optim, gen, batch_size))
    return history


def _step(
    model, task: Dict, optim, gen: torch.Generator, batch_size: int
) -> float:
    """One optimisation step on a balanced random batch."""
    n = task['inputs'].shape[0]
    normal = torch.arange(n // 2)
    anomalous = torch.arange(n // 2, n)
    half = batch_size // 2
    idx = torch.cat(
        [
            normal[torch.randperm(len(normal), generator=gen)[:half]],
            anomalous[torch.randperm(len(anomalous), generator=gen)[:half]],
        ]
    )
    losses = model(
        task['inputs'][idx],
        [task['samples'][i] for i in idx.tolist()],
        mode='loss',
    )
    loss = sum(losses.values())
    optim.zero_grad()
    loss.backward()
    optim.step()
    return float(loss.detach())


def split_tasks(
    seed: int = 0, num_train: int = 64, num_test: int = 32, **kwargs
) -> Tuple[Dict, Dict]:
    """A training task and an independent test task."""
    return (
        make_task(num_train, seed=seed, **kwargs),
        make_task(num_test, seed=seed + 100, **kwargs),
    )


def untrained_aucs(build, task: Dict, seeds: int = 10) -> List[float]:
    """Snippet AUCs of untrained models built with ``build(seed)``.

    A single random network may happen to align with the anomaly direction
    (or against it); averaged over initialisations it is at chance.
    """
    return [snippet_auc(build(seed), task) for seed in range(seeds)]
