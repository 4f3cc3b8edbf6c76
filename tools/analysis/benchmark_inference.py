"""Time end-to-end VAD inference against its backbone and a naive loop.

Rows, all in one run on one machine (``--device cpu`` or ``cuda``):

* **ceiling**: ``model.backbone`` on pre-decoded random frames on the device,
  at the batch size of ours (``batch_clips * clip_len`` frames per call);
* **ours**: :func:`fgclip_mm.apis.iter_inference_vad` (streaming decode of
  every ``stride``-th frame resized while decoding, a background decode
  thread, one backbone pass, cached prompts) at the configured stride, and
  at stride 1 (**same work**: the frames the naive loop scores);
* **naive**: what a user writes by hand: a PyAV loop over every frame,
  per-frame preprocessing (colour conversion + resize, crop, normalise),
  one clip per call (batch 1), two backbone passes (``clip.encode_image``,
  then the dense pass) and the prompts encoded on every call.

``*_fps`` count video frames that receive a score per second;
``fraction_of_ceiling`` = ours' backbone frames per second / ceiling. AUCs
compare ours at the stride with scoring every frame on the demo video's
labels. Memory: peak RSS of a fresh process scoring a generated 1-minute and
``--long-minutes`` video (``--long-minutes 0`` skips it). The last stdout
line is one JSON object. ``--all-models`` prints the efficiency table of
every model config instead (each model in a fresh process). Example::

    python tools/analysis/benchmark_inference.py \\
        --config configs/fgclip_demo.py --long-minutes 60
"""

import argparse
import glob
import json
import logging
import os
import os.path as osp
import platform
import resource
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

AMP = {'none': None, 'fp16': torch.float16, 'bf16': torch.bfloat16}


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--config', default='configs/fgclip_demo.py')
    p.add_argument('--checkpoint', default=None)
    p.add_argument('--device', default='cpu')
    p.add_argument('--amp', default='none', choices=sorted(AMP))
    p.add_argument('--batch-clips', type=int, default=8)
    p.add_argument(
        '--stride',
        type=int,
        default=None,
        help="default: the config's test frame_interval",
    )
    p.add_argument(
        '--frames',
        type=int,
        default=None,
        help='frames of the generated video (default 1200 for '
        'inputs <= 128 px, else one chunk of ours)',
    )
    p.add_argument(
        '--same-work-frames',
        type=int,
        default=None,
        help='frames of the stride-1 / naive comparison (default: '
        'the same video for small inputs, 2 clips otherwise)',
    )
    p.add_argument(
        '--video-size',
        default=None,
        help='WxH (default 96x96 for inputs <= 128 px, else 320x240)',
    )
    p.add_argument('--backend', default='pyav', choices=['pyav', 'decord'])
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument(
        '--long-minutes',
        type=float,
        default=0,
        help='memory probe on a generated 240p video of this '
        'length and a 1-minute one (0: skip)',
    )
    p.add_argument('--long-fps', type=int, default=30)
    p.add_argument('--all-models', action='store_true')
    p.add_argument('--probe', default=None, help=argparse.SUPPRESS)
    p.add_argument('--row', action='store_true', help=argparse.SUPPRESS)
    return p.parse_args(argv)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, device: str):
    """``(seconds, fn())`` with device synchronisation."""
    sync(device)
    tic = time.perf_counter()
    out = fn()
    sync(device)
    return time.perf_counter() - tic, out


# ------------------------------------------------------------------ rows
def run_ours(model, video: str, stride: int, args) -> Dict:
    """One streaming pass; seconds, scored and video frames, dense scores."""
    from fgclip_mm.apis.inference import collect_scores, iter_inference_vad
    from fgclip_mm.evaluation.functional.protocols import expand_frame_scores

    seconds, chunks = timed(
        lambda: list(
            iter_inference_vad(
                model,
                video,
                stride=stride,
                batch_clips=args.batch_clips,
                backend=args.backend,
                amp_dtype=AMP[args.amp],
            )
        ),
        args.device,
    )
    inds, scores, _, total = collect_scores(chunks)
    return dict(
        seconds=seconds,
        scored=int(inds.size),
        frames=total,
        inds=inds,
        scores=scores,
        dense=expand_frame_scores(inds, scores, total),
    )


@torch.no_grad()
def run_ceiling(model, num_frames: int, batch: int, args) -> Dict:
    """Backbone passes over ``num_frames`` pre-decoded frames, ``batch`` per
    call (the ceiling of ours at the same batch size)."""
    h, w = model.backbone.image_size
    images = torch.randn(batch, 3, h, w, device=args.device)
    calls = max(1, -(-num_frames // batch))

    def passes():
        with torch.autocast(
            images.device.type,
            dtype=AMP[args.amp] or torch.float32,
            enabled=args.amp != 'none',
        ):
            for _ in range(calls):
                model.backbone(images)

    seconds, _ = timed(passes, args.device)
    return dict(seconds=seconds, scored=calls * batch)


def fastest(runs: List[Dict]) -> Dict:
    """The run of least wall time (other processes only add time)."""
    return min(runs, key=lambda r: r['seconds'])


def measure(
    model, videos: Dict[str, str], stride: int, clip_len: int, args
) -> Dict[str, Dict]:
    """Fastest of ``--repeats`` interleaved rounds of every row."""
    batch = args.batch_clips * clip_len
    runs: Dict[str, List[Dict]] = {}
    for r in range(args.repeats):
        log(f'round {r + 1}/{args.repeats} ...')
        rows = dict(ours=run_ours(model, videos['main'], stride, args))
        rows['ceiling'] = run_ceiling(
            model, rows['ours']['scored'], batch, args
        )
        same = videos['same']
        rows['ours_same_work'] = run_ours(model, same, 1, args)
        rows['ours_stride_same_video'] = (
            rows['ours']
            if same == videos['main']
            else run_ours(model, same, stride, args)
        )
        rows['naive'] = run_naive(
            model, same, clip_len, args.device, AMP[args.amp]
        )
        for k, v in rows.items():
            runs.setdefault(k, []).append(v)
    return {k: fastest(v) for k, v in runs.items()}


def summary(rows: Dict[str, Dict], labels: Optional[np.ndarray], args) -> Dict:
    """The final JSON object."""
    from fgclip_mm.evaluation.functional import roc_auc

    def vfps(r):
        return r['frames'] / r['seconds']

    ours, naive, ceil = rows['ours'], rows['naive'], rows['ceiling']
    same = rows['ours_same_work']
    ceiling_fps = ceil['scored'] / ceil['seconds']
    n = min(naive['scores'].size, same['scores'].size)
    out = dict(
        naive_fps=vfps(naive),
        ours_fps=vfps(ours),
        ceiling_fps=ceiling_fps,
        speedup_vs_naive=vfps(ours) / vfps(naive),
        fraction_of_ceiling=ours['scored'] / ours['seconds'] / ceiling_fps,
        same_work_speedup=vfps(same) / vfps(naive),
        same_work_max_abs_diff=float(
            np.abs(naive['scores'][:n] - same['scores'][:n]).max()
        ),
        auc_stride=None,
        auc_every_frame=None,
        peak_rss_mb=peak_rss_mb(),
        device=args.device,
    )
    if labels is not None and 0 < labels.sum() < labels.size:
        out['auc_stride'] = roc_auc(
            labels, rows['ours_stride_same_video']['dense']
        )
        out['auc_every_frame'] = roc_auc(labels, same['dense'])
    if args.device.startswith('cuda'):
        out['peak_gpu_mb'] = torch.cuda.max_memory_allocated() / 2**20
    return {
        k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()
    }


def format_rows(rows: Dict[str, Dict]) -> str:
    """Markdown table of the timed rows."""
    lines = [
        '| row | scored frames | video frames | seconds | scored fr/s '
        '| video fr/s |',
        '|---|---:|---:|---:|---:|---:|',
    ]
    for name, r in rows.items():
        if name == 'ours_stride_same_video' and r is rows['ours']:
            continue
        frames = r.get('frames')
        lines.append(
            f'| {name} | {r["scored"]} | {frames or ""} | '
            f'{r["seconds"]:.3f} | {r["scored"] / r["seconds"]:.1f} | '
            + (f'{frames / r["seconds"]:.1f} |' if frames else ' |')
        )
    return '\n'.join(lines)


# ----------------------------------------------------------------- naive
@torch.no_grad()
def run_naive(
    model, video: str, clip_len: int, device: str, amp_dtype=None
) -> Dict:
    """Every frame in order, per-frame preprocessing, one clip per call, two
    backbone passes, prompts encoded on every call.

    Frames are decoded with PyAV and converted one by one with the same
    swscale call as ours (``to_ndarray(width=, height=)``), then cropped and
    normalised per frame, so that at stride 1 both score identical pixels
    in identical clips.
    """
    import av

    from fgclip_mm.apis.inference import frame_geometry, score_clips

    h, w = model.backbone.image_size
    pre = model.data_preprocessor
    mean = pre.mean.view(3, 1, 1).to(device)
    std = pre.std.view(3, 1, 1).to(device)
    clip = model.backbone.clip
    scores, pending = [], []

    def two_pass(inputs):
        b, t = inputs.shape[:2]
        x = inputs.flatten(0, 1)
        glob = clip.encode_image(x).float()
        dense = model.backbone(x)[1].float()
        return glob.reshape(b, t, -1), dense.reshape(b, t, *dense.shape[1:])

    def flush():
        model.scorer.clear_cache()  # prompts encoded on every call
        s, _ = score_clips(model, torch.stack(pending), clip_len, amp_dtype)
        scores.append(s.cpu().numpy())
        pending.clear()

    model.extract_feat = two_pass
    tic = time.perf_counter()
    container = av.open(video)
    try:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        (dw, dh), (y0, x0) = frame_geometry(model, (ctx.height, ctx.width))
        for frame in container.decode(stream):
            rgb = frame.to_ndarray(width=dw, height=dh, format='rgb24')
            x = torch.from_numpy(rgb[y0 : y0 + h, x0 : x0 + w].copy())
            pending.append(
                (x.to(device).permute(2, 0, 1).float() - mean) / std
            )
            if len(pending) == clip_len:
                flush()
        if pending:
            flush()
        sync(device)
    finally:
        del model.extract_feat
        container.close()
    seconds = time.perf_counter() - tic
    frames = int(sum(s.size for s in scores))
    return dict(
        seconds=seconds,
        scored=frames,
        frames=frames,
        scores=np.concatenate(scores),
    )


# ------------------------------------------------------------------ data
def make_labelled_video(out_dir: str, frames: int, size, seed: int = 0):
    """One anomalous demo video (``fgclip_mm.datasets.demo_data``) and its
    frame labels; a non-square size is a centre crop, re-encoded."""
    from fgclip_mm.annotations import parse_ucf_test_annotations
    from fgclip_mm.datasets.demo_data import (
        DemoConfig,
        make_demo_dataset,
        write_mp4,
    )

    width, height = size
    cfg = DemoConfig(
        num_train_normal=0,
        num_train_anomalous=0,
        num_test_normal=0,
        num_test_anomalous=1,
        size=max(width, height),
        min_frames=frames,
        max_frames=frames,
    )
    make_demo_dataset(out_dir, seed=seed, cfg=cfg)
    rec = parse_ucf_test_annotations(
        osp.join(out_dir, 'test_annotations.txt')
    )[0]
    video = osp.join(out_dir, 'videos', 'test', rec['name'])
    if width != height:
        import decord

        reader = decord.VideoReader(video)
        full = reader.get_batch(list(range(len(reader)))).asnumpy()
        y0, x0 = (full.shape[1] - height) // 2, (full.shape[2] - width) // 2
        write_mp4(video, full[:, y0 : y0 + height, x0 : x0 + width], cfg.fps)
    labels = np.zeros(frames, np.int64)
    for s, e in rec['anomaly_intervals']:
        labels[s:e] = 1
    return video, labels


def make_long_video(
    path: str, seconds: float, fps: int, size=(320, 240), seed: int = 0
) -> int:
    """A long H.264 video of a texture panning under a moving box, encoded
    frame by frame (memory independent of the length); returns its frames."""
    import av

    rng = np.random.default_rng(seed)
    w, h = size
    texture = cv2.resize(
        rng.integers(0, 255, (h // 8, w // 4, 3), np.uint8),
        (2 * w, h),
        interpolation=cv2.INTER_LINEAR,
    )
    n = int(round(seconds * fps))
    with av.open(path, 'w') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, 'yuv420p'
        stream.options = {'preset': 'ultrafast', 'crf': '28'}
        for i in range(n):
            x = (i * 2) % w
            img = np.ascontiguousarray(texture[:, x : x + w])
            bx = (i * 3) % (w - 40)
            img[h // 3 : h // 3 + 40, bx : bx + 40] = (220, 30, 30)
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return n


# ---------------------------------------------------------------- memory
def probe_child(args) -> None:
    """Child mode: one streaming pass over ``args.probe``, JSON to stdout."""
    model = build(args)
    before = peak_rss_mb()
    row = run_ours(model, args.probe, args.stride, args)
    print(
        'PROBE '
        + json.dumps(
            dict(
                frames=row['frames'],
                scored=row['scored'],
                seconds=round(row['seconds'], 2),
                rss_before_mb=round(before, 1),
                peak_rss_mb=round(peak_rss_mb(), 1),
            )
        )
    )


def child(args, extra: List[str], prefix: str) -> Dict:
    """Run this script in a fresh interpreter; parse its ``prefix`` line."""
    cmd = [
        sys.executable,
        osp.abspath(__file__),
        '--config',
        args.config,
        '--device',
        args.device,
        '--amp',
        args.amp,
        '--batch-clips',
        str(args.batch_clips),
        '--backend',
        args.backend,
    ] + extra
    for flag in ('checkpoint', 'stride', 'threads'):
        if getattr(args, flag) is not None:
            cmd += [f'--{flag}', str(getattr(args, flag))]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{out.stderr[-3000:]}')
    line = [ln for ln in out.stdout.splitlines() if ln.startswith(prefix)]
    return json.loads(line[-1][len(prefix) :])


def memory_probes(args, tmp: str) -> List[Dict]:
    """Peak RSS of scoring a 1-minute and a ``--long-minutes`` 240p video."""
    results = []
    for minutes in (1, args.long_minutes):
        path = osp.join(tmp, f'long_{minutes:g}min.mp4')
        log(f'memory probe: writing a {minutes:g}-minute 320x240 video ...')
        tic = time.perf_counter()
        make_long_video(path, minutes * 60, args.long_fps)
        log(
            f'  written in {time.perf_counter() - tic:.0f} s; scoring it in '
            'a fresh process ...'
        )
        probe = child(args, ['--probe', path], 'PROBE ')
        probe['minutes'] = minutes
        results.append(probe)
        os.remove(path)
    return results


# ------------------------------------------------------------ all models
def drop_missing_weights(node) -> None:
    """Set ``pretrained`` entries naming missing local files to None (in
    place): random weights time the same (``--all-models`` rows)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if (
                key == 'pretrained'
                and isinstance(value, str)
                and os.sep in value
                and not osp.exists(value)
            ):
                log(f'  {value} not found: random weights')
                node[key] = None
            else:
                drop_missing_weights(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            drop_missing_weights(value)


def build(args):
    """The model of ``args.config`` on ``args.device``, eval mode."""
    from mmengine.config import Config
    from mmengine.logging import MMLogger

    from fgclip_mm.apis import init_vad_model

    MMLogger.get_current_instance().setLevel(logging.WARNING)
    cfg = Config.fromfile(args.config)
    if args.row:
        drop_missing_weights(cfg.model)
    return init_vad_model(cfg, args.checkpoint, args.device)


def num_params(model) -> float:
    return sum(p.numel() for p in model.parameters()) / 1e6


@torch.no_grad()
def snippet_row(model, args) -> Dict:
    """Feature-level throughput of a snippet model: random (1, T, C, D)
    features of 64 snippets (feature extraction not included)."""
    dims = (
        model.head.in_channels
        if hasattr(model.head, 'in_channels')
        else model.cfg.model.head.get('in_channels', 512)
    )
    feats = torch.randn(1, 64, 1, dims, device=args.device)
    model(feats, mode='tensor')
    seconds = min(
        timed(lambda: model(feats, mode='tensor'), args.device)[0]
        for _ in range(args.repeats)
    )
    snippet_len = getattr(model, 'default_snippet_length', 16)
    return dict(
        kind='snippet features',
        scored_fps=64 / seconds,
        video_fps=64 * snippet_len / seconds,
    )


def row_child(args, tmp: str) -> None:
    """Child mode of ``--all-models``: one model's row, JSON to stdout."""
    model = build(args)
    row = dict(
        config=args.config,
        type=type(model).__name__,
        params_m=round(num_params(model), 2),
    )
    if hasattr(model, 'score_frames'):
        from fgclip_mm.apis.inference import config_test_settings

        settings = config_test_settings(model)
        stride = args.stride or settings['stride']
        args.frames = (
            args.frames or args.batch_clips * settings['clip_len'] * stride
        )
        video, _ = make_labelled_video(
            tmp, args.frames, default_size(model, args)
        )
        run_ours(model, video, stride, args)  # warm-up
        ours = fastest(
            [run_ours(model, video, stride, args) for _ in range(args.repeats)]
        )
        row.update(
            kind='video (end to end)',
            stride=stride,
            scored_fps=ours['scored'] / ours['seconds'],
            video_fps=ours['frames'] / ours['seconds'],
        )
    else:
        row.update(snippet_row(model, args))
    row['peak_rss_mb'] = peak_rss_mb()
    if args.device.startswith('cuda'):
        row['peak_gpu_mb'] = torch.cuda.max_memory_allocated() / 2**20
    print('ROW ' + json.dumps(row))


def model_configs() -> List[str]:
    """One config per distinct model: the full configs (``configs/*.py``,
    ``configs/<dir>/*.py`` except ablations), then the model bases of the
    snippet baselines (``configs/_base_/models/*_snippet.py``). Models that
    differ only in their test prompts or loss count once (first name
    wins)."""
    from mmengine.config import Config

    paths = sorted(
        glob.glob('configs/*.py')
        + [
            p
            for p in glob.glob('configs/*/*.py')
            if not p.startswith(('configs/_base_', 'configs/ablations'))
        ]
    )
    paths += sorted(glob.glob('configs/_base_/models/*_snippet.py'))
    seen, out = set(), []
    for path in paths:
        try:
            model = dict(Config.fromfile(path).model)
        except Exception as e:  # a config that does not parse: say so
            log(f'skipping {path}: {type(e).__name__}: {e}')
            continue
        model.pop('scorer', None)  # test prompts
        model.pop('loss', None)  # training only
        key = json.dumps(model, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def all_models(args) -> None:
    """The efficiency table: one fresh process per distinct model."""
    rows = []
    for path in model_configs():
        log(f'{path} ...')
        args.config = path
        try:
            rows.append(child(args, ['--row'], 'ROW '))
        except RuntimeError as e:
            log(f'  failed: {str(e)[-500:]}')
    mem = 'peak GPU MiB' if args.device.startswith('cuda') else 'peak RSS MiB'
    print(
        f'| config | model | params (M) | input | scored /s | video fr/s '
        f'| {mem} |\n|---|---|---:|---|---:|---:|---:|'
    )
    for r in rows:
        peak = r.get('peak_gpu_mb', r['peak_rss_mb'])
        print(
            f'| {r["config"]} | {r["type"]} | {r["params_m"]:.2f} | '
            f'{r["kind"]} | {r["scored_fps"]:.1f} | {r["video_fps"]:.1f} '
            f'| {peak:.0f} |'
        )
    print(json.dumps(dict(device=args.device, rows=rows)))


# ------------------------------------------------------------------ main
def default_size(model, args):
    if args.video_size:
        return tuple(int(v) for v in args.video_size.lower().split('x'))
    return (96, 96) if max(model.backbone.image_size) <= 128 else (320, 240)


def header(args, model, stride: int, clip_len: int) -> str:
    dev = (
        torch.cuda.get_device_name()
        if args.device.startswith('cuda')
        else f'{os.cpu_count()} CPU cores'
    )
    return (
        f'machine: {platform.machine()}, {dev}; torch '
        f'{torch.__version__}, {torch.get_num_threads()} threads; load '
        f'{os.getloadavg()[0]:.2f}\nconfig: {args.config}   params: '
        f'{num_params(model):.2f} M   input: {model.backbone.image_size}'
        f'   clip_len {clip_len}   stride {stride}   batch '
        f'{args.batch_clips} clips   backend {args.backend}   amp '
        f'{args.amp}'
    )


def benchmark(args, tmp: str) -> None:
    """Every row on one config, then the memory probes."""
    from fgclip_mm.apis.inference import config_test_settings, online_latency

    model = build(args)
    settings = config_test_settings(model)
    stride = args.stride = args.stride or settings['stride']
    clip_len = settings['clip_len']
    light = max(model.backbone.image_size) <= 128
    frames = args.frames or (
        1200 if light else args.batch_clips * clip_len * stride
    )
    size = default_size(model, args)
    log(f'writing a {frames}-frame {size[0]}x{size[1]} demo video ...')
    main_video, labels = make_labelled_video(
        osp.join(tmp, 'main'), frames, size
    )
    videos = dict(main=main_video, same=main_video)
    same_frames = args.same_work_frames or (None if light else 2 * clip_len)
    if same_frames and same_frames != frames:
        videos['same'], labels = make_labelled_video(
            osp.join(tmp, 'same'), same_frames, size
        )
    log('warm-up ...')
    run_ours(model, videos['same'], stride, args)
    run_naive(model, videos['same'], clip_len, args.device, AMP[args.amp])
    rows = measure(model, videos, stride, clip_len, args)
    result = summary(rows, labels, args)
    result['online_latency_frames'] = online_latency(
        stride, clip_len, args.batch_clips
    )
    if args.long_minutes > 0:
        probes = memory_probes(args, tmp)
        result.update(
            peak_rss_1min_mb=probes[0]['peak_rss_mb'],
            peak_rss_long_mb=probes[1]['peak_rss_mb'],
            long_minutes=args.long_minutes,
        )
        result['peak_rss_mb'] = max(p['peak_rss_mb'] for p in probes)
        for p in probes:
            log(f'  probe: {p}')
    print(header(args, model, stride, clip_len))
    print(format_rows(rows))
    print(json.dumps(result))


def main(argv: Optional[Sequence[str]] = None) -> None:
    import tempfile

    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.probe:
        return probe_child(args)
    with tempfile.TemporaryDirectory(prefix='fgclip_bench_') as tmp:
        if args.row:
            return row_child(args, tmp)
        if args.all_models:
            return all_models(args)
        benchmark(args, tmp)


if __name__ == '__main__':
    main()
