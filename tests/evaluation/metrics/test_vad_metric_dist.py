"""A 2-process gloo evaluation gives exactly the single-process metrics."""

import copy
import json
import os.path as osp
import socket

import torch.multiprocessing as mp

from ._vad_fixtures import make_samples

WORLD_SIZE = 2


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _rank_parts(samples, rank, split):
    """This rank's share of the samples.

    ``interleaved`` mimics mmengine's DefaultSampler(shuffle=False): rank r
    gets samples r, r + 2, ..., the shorter rank padded with the first
    samples. ``blocks`` gives each rank a contiguous half, so the gathered
    list is in a different order than the single-process one.
    """
    if split == 'interleaved':
        total = -(-len(samples) // WORLD_SIZE) * WORLD_SIZE
        padded = samples + samples[: total - len(samples)]
        return padded[rank:total:WORLD_SIZE]
    half = len(samples) // WORLD_SIZE
    return samples[rank * half : (rank + 1) * half]


def _worker(rank: int, port: int, out_dir: str) -> None:
    import torch
    import torch.distributed as dist

    from fgclip_mm.evaluation import VADMetric

    torch.set_num_threads(1)  # as DataLoader workers do after a fork
    dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=WORLD_SIZE,
    )
    try:
        results = {}
        for split, samples in (
            ('interleaved', make_samples()[:-1]),
            ('blocks', make_samples()),
        ):
            assert len(samples) % 2 == (1 if split == 'interleaved' else 0)
            metric = VADMetric(
                dump_file=osp.join(out_dir, f'dist_{split}.npz')
            )
            metric.process(None, _rank_parts(samples, rank, split))
            results[split] = metric.evaluate(len(samples))
        if rank == 0:
            with open(osp.join(out_dir, 'dist.json'), 'w') as f:
                json.dump(results, f)
    finally:
        dist.destroy_process_group()


def test_two_process_gloo_equals_single_process(tmp_path):
    from fgclip_mm.evaluation import VADMetric, load_vad_dump

    out_dir = str(tmp_path)
    # fork: the children inherit the imported packages (spawning would
    # re-import torch, mmengine and fgclip_mm in each, ~10 s on 2 cores)
    mp.start_processes(
        _worker,
        args=(_free_port(), out_dir),
        nprocs=WORLD_SIZE,
        join=True,
        start_method='fork',
    )
    with open(osp.join(out_dir, 'dist.json')) as f:
        dist_results = json.load(f)
    for split, samples in (
        ('interleaved', make_samples()[:-1]),
        ('blocks', make_samples()),
    ):
        metric = VADMetric(dump_file=osp.join(out_dir, f'single_{split}.npz'))
        metric.process(None, copy.deepcopy(samples))
        single = metric.evaluate(len(samples))
        # exact equality (json round-trips floats exactly)
        assert dist_results[split] == single, split
        dist_videos, _ = load_vad_dump(osp.join(out_dir, f'dist_{split}.npz'))
        single_videos, _ = load_vad_dump(
            osp.join(out_dir, f'single_{split}.npz')
        )
        assert list(dist_videos) == list(single_videos)
        for vid in single_videos:
            assert (
                dist_videos[vid]['scores'] == single_videos[vid]['scores']
            ).all()
