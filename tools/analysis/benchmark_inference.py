"""Time end-to-end FG-CLIP inference against its backbone and a naive loop.

Everything is measured in one run on the same machine:

1. **backbone only**: ``model.backbone(images)`` (one ViT pass giving the
   global and dense embeddings) on random normalised frames at the model's
   input size;
2. **ours, end to end**: the config's test dataloader
   (``TimestampSegmentDataset`` expanding the video into clips, decord batch
   decoding of the sampled frames resized while decoding, packing) and
   ``model.test_step`` over every clip, with ``num_workers=0`` and ``2``;
3. **naive**: ``cv2.VideoCapture`` reading every frame from frame 0, a cv2
   resize of every frame, every K-th frame kept, two backbone passes per batch
   (``clip.encode_image`` for the global embedding, a second full pass for the
   dense map), then the same heads;
4. **memory**: peak RSS of the end-to-end run on a short and a long video, each
   in a fresh subprocess (``num_workers=0``).

The test video is a synthetic demo video (``fgclip_mm.datasets.demo_data``, the
generator behind ``tools/data/make_demo_dataset.py``) with a UCF-format test
annotation, unless ``--video`` is given. Speed is never asserted in tests; this
script prints numbers (see docs/benchmarks.md). Example::

    python tools/analysis/benchmark_inference.py \\
        --config configs/fgclip_demo.py
"""
import argparse
import copy
import datetime
import json
import os
import os.path as osp
import platform
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

#: Input sides up to this use the light defaults (tiny demo model).
LIGHT_INPUT_SIDE = 128


# --------------------------------------------------------------------- results
@dataclass
class Timing:
    """One measured row of the table.

    Attributes:
        name (str): Row label.
        scored (int): Frames that went through the backbone.
        seconds (float): Wall time (the fastest of the repeats).
        video_frames (int): Video frames covered (0 for the backbone row).
        parts (dict): Optional breakdown ``{part: seconds}``.
    """
    name: str
    scored: int
    seconds: float
    video_frames: int = 0
    parts: Dict[str, float] = field(default_factory=dict)

    @property
    def fps(self) -> float:
        """Scored frames per second."""
        return self.scored / self.seconds

    @property
    def video_fps(self) -> float:
        """Covered video frames per second (0 when not applicable)."""
        return self.video_frames / self.seconds if self.video_frames else 0.0


@dataclass
class TestData:
    """A test video with its UCF-format annotation and frame-count file."""
    video: str
    ann_file: str
    counts_file: str
    num_frames: int

    @property
    def video_dir(self) -> str:
        """Folder of the video (the dataset's ``data_prefix``)."""
        return osp.dirname(self.video)


# ------------------------------------------------------------------------ args
def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line options; ``None`` defaults are filled by
    :func:`defaults_for` from the model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', required=True, help='model/data config')
    parser.add_argument(
        '--frames', type=int, default=None,
        help='frames of the generated test video (default: the longest '
        'length <= 600 (inputs <= {} px) or <= 256 (larger inputs) that the '
        'test clips tile without overlap)'.format(LIGHT_INPUT_SIDE))
    parser.add_argument(
        '--video-size', default=None,
        help='WxH of the generated video (default: 96x96 for inputs '
        f'<= {LIGHT_INPUT_SIDE} px, else 320x240)')
    parser.add_argument(
        '--video', default=None,
        help='benchmark this video instead of a generated one (the memory '
        'probe still uses generated videos)')
    parser.add_argument(
        '--batch', type=int, default=None,
        help='clips per batch (default: the config\'s test batch size)')
    parser.add_argument(
        '--frame-interval', type=int, default=None,
        help='score every K-th frame (default: the config\'s)')
    parser.add_argument(
        '--threads', type=int, default=None,
        help='torch intra-op threads (default: torch\'s own)')
    parser.add_argument(
        '--repeats', type=int, default=None,
        help='timed repeats per measurement, the fastest reported (default: '
        f'5 for inputs <= {LIGHT_INPUT_SIDE} px, else 2)')
    parser.add_argument(
        '--backbone-batch', type=int, default=None,
        help='frames per backbone-only call (default: the frames of one '
        'backbone call in the end-to-end run, min(batch, clips) * clip_len '
        'capped at the model\'s frame_chunk)')
    parser.add_argument(
        '--memory-frames', type=int, nargs=2, default=None,
        metavar=('SHORT', 'LONG'),
        help='video lengths of the memory probe (default: S = about frames/2 '
        'but at least one full batch of clips, and 8*S (inputs <= '
        f'{LIGHT_INPUT_SIDE} px) or 2*S, tiled like --frames); 0 0 skips it')
    parser.add_argument(
        '--workers', type=int, nargs='+', default=[0, 2],
        help='dataloader num_workers values to time end to end (default: 0 2)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the generated videos (default: 0)')
    parser.add_argument('--memory-probe', default=None,
                        help=argparse.SUPPRESS)  # internal: child process mode
    return parser.parse_args(argv)


# ------------------------------------------------------------------------ data
def make_test_video(out_dir: str, num_frames: int, size: Tuple[int, int],
                    seed: int = 0) -> TestData:
    """Write one normal synthetic test video and its UCF-format annotation.

    The demo generator draws square frames; a non-square ``size`` is a centre
    crop of a square video of the larger side, re-encoded.

    Args:
        out_dir (str): Output directory (the generator's layout).
        num_frames (int): Length of the video.
        size (tuple[int, int]): ``(width, height)``, both even.
        seed (int): Generator seed.
    """
    from fgclip_mm.datasets.demo_data import (DemoConfig, make_demo_dataset,
                                              write_mp4)
    width, height = size
    cfg = DemoConfig(num_train_normal=0, num_train_anomalous=0,
                     num_test_normal=1, num_test_anomalous=0,
                     size=max(width, height), min_frames=num_frames,
                     max_frames=num_frames)
    make_demo_dataset(out_dir, seed=seed, cfg=cfg)
    video = osp.join(out_dir, 'videos', 'test', 'Normal_test_000.mp4')
    if width != height:
        frames = read_all_frames(video)
        y0 = (frames.shape[1] - height) // 2
        x0 = (frames.shape[2] - width) // 2
        write_mp4(video, frames[:, y0:y0 + height, x0:x0 + width], cfg.fps)
    return TestData(video, osp.join(out_dir, 'test_annotations.txt'),
                    osp.join(out_dir, 'test_frame_counts.txt'), num_frames)


def read_all_frames(video: str) -> np.ndarray:
    """All frames of a (small) video, uint8 RGB ``(T, H, W, 3)``."""
    import decord
    reader = decord.VideoReader(video)
    return reader.get_batch(list(range(len(reader)))).asnumpy()


def annotate_video(video: str, out_dir: str) -> TestData:
    """A UCF-format annotation (class Normal) for a user-supplied video."""
    import decord
    num_frames = len(decord.VideoReader(video))
    name = osp.basename(video)
    ann = osp.join(out_dir, 'test_annotations.txt')
    counts = osp.join(out_dir, 'test_frame_counts.txt')
    with open(ann, 'w') as f:
        f.write(f'{name}  Normal  -1  -1  -1  -1\n')
    with open(counts, 'w') as f:
        f.write(f'{name} {num_frames}\n')
    return TestData(osp.abspath(video), ann, counts, num_frames)


# ----------------------------------------------------------------- model/cfg
def load_config(path: str, data: TestData, frame_interval: Optional[int],
                batch: Optional[int]):
    """The config with its test dataloader pointed at ``data``."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    options = {
        'test_dataloader.dataset.ann_file': data.ann_file,
        'test_dataloader.dataset.frame_counts_file': data.counts_file,
        'test_dataloader.dataset.data_prefix': dict(video=data.video_dir),
    }
    if frame_interval is not None:
        options['test_dataloader.dataset.frame_interval'] = frame_interval
    if batch is not None:
        options['test_dataloader.batch_size'] = batch
    cfg.merge_from_dict(options)
    return cfg


def build_model(cfg) -> torch.nn.Module:
    """The recognizer of ``cfg`` in eval mode (weights as configured)."""
    from mmaction.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


def build_loader(cfg, num_workers: int):
    """The test dataloader of ``cfg`` with ``num_workers`` workers."""
    from mmengine.runner import Runner
    loader_cfg = cfg.test_dataloader.copy()
    loader_cfg.update(num_workers=num_workers,
                      persistent_workers=False)
    return Runner.build_dataloader(loader_cfg)


def input_size(model) -> Tuple[int, int]:
    """Model input ``(height, width)``."""
    return tuple(model.backbone.image_size)


# ------------------------------------------------------------------- timing
def fastest(runs: List[Timing]) -> Timing:
    """The run with the shortest wall time.

    The minimum, not the mean: on a shared CPU other processes only ever add
    time (and stall torch's thread pool at every parallel region), so the
    fastest run is the estimate least distorted by them.
    """
    return min(runs, key=lambda r: r.seconds)


@torch.no_grad()
def run_backbone(model, images: torch.Tensor) -> Timing:
    """One timed ``model.backbone`` call (one ViT pass: global + dense)."""
    tic = time.perf_counter()
    model.backbone(images)
    return Timing('backbone only', images.shape[0], time.perf_counter() - tic)


@torch.no_grad()
def run_end_to_end(model, loader) -> Timing:
    """One pass of ``model.test_step`` over the loader, timed per part."""
    data_s = model_s = 0.0
    scored = 0
    video_frames: Dict[str, int] = {}
    tic = time.perf_counter()
    it = iter(loader)
    while True:
        t0 = time.perf_counter()
        try:
            batch = next(it)
        except StopIteration:
            break
        t1 = time.perf_counter()
        outputs = model.test_step(batch)
        model_s += time.perf_counter() - t1
        data_s += t1 - t0
        for ds in outputs:
            scored += int(ds.pred_frame_scores.numel())
            video_frames[ds.video_id] = int(ds.total_frames)
    total = time.perf_counter() - tic
    return Timing('ours', scored, total, sum(video_frames.values()),
                  dict(data=data_s, model=model_s))


@torch.no_grad()
def warm_up(model, cfg) -> None:
    """One ``test_step`` on a single clip (first calls, prompt cache)."""
    one_clip = copy.deepcopy(cfg)
    one_clip.test_dataloader.batch_size = 1
    model.test_step(next(iter(build_loader(one_clip, 0))))


def profile_pipeline(cfg, passes: int = 2) -> Dict[str, float]:
    """Milliseconds per clip of each test-pipeline transform.

    Runs the dataset's transforms one by one on every clip (no dataloader),
    ``passes`` times, keeping each transform's fastest pass.
    """
    from mmaction.registry import DATASETS
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    best: Dict[str, float] = {}
    for _ in range(passes):
        totals: Dict[str, float] = {}
        for i in range(len(dataset)):
            results = dataset.get_data_info(i)
            for transform in dataset.pipeline.transforms:
                tic = time.perf_counter()
                results = transform(results)
                name = type(transform).__name__
                totals[name] = totals.get(name, 0.0) + (time.perf_counter() -
                                                        tic)
        for name, seconds in totals.items():
            best[name] = min(best.get(name, seconds), seconds)
    return {k: 1000 * v / len(dataset) for k, v in best.items()}


# -------------------------------------------------------------------- naive
def decoded_size(cfg, frame_shape: Tuple[int, int],
                 model_size: Tuple[int, int]) -> Tuple[int, int]:
    """``(width, height)`` the test pipeline decodes to (before cropping)."""
    from fgclip_mm.datasets.transforms.loading import target_size
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'] == 'DecodeSampledFrames':
            size = target_size(step.get('scale'), frame_shape)
            if size is not None:
                return size
    return model_size[1], model_size[0]


def naive_preprocess(frame_bgr: np.ndarray, resize_wh: Tuple[int, int],
                     crop_hw: Tuple[int, int]) -> np.ndarray:
    """BGR->RGB, cv2 resize of the full-size frame, centre crop."""
    rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
    img = cv2.resize(rgb, resize_wh, interpolation=cv2.INTER_LINEAR)
    h, w = crop_hw
    y0, x0 = (img.shape[0] - h) // 2, (img.shape[1] - w) // 2
    return img[y0:y0 + h, x0:x0 + w]


@contextmanager
def two_pass_features(model) -> Iterator[None]:
    """Make ``model.extract_feat`` run two full backbone passes (naive).

    Global: ``clip.encode_image``; dense: a second full ``model.backbone`` pass
    (its global output discarded). The heads downstream are untouched.
    """
    clip = model.backbone.clip

    def extract_feat(inputs: torch.Tensor):
        b, t = inputs.shape[:2]
        frames = inputs.flatten(0, 1)
        glob = clip.encode_image(frames).float()
        dense = model.backbone(frames)[1].float()
        return glob.reshape(b, t, -1), dense.reshape(b, t, *dense.shape[1:])

    model.extract_feat = extract_feat
    try:
        yield
    finally:
        del model.extract_feat


@torch.no_grad()
def run_naive(model, cfg, video: str, clip_len: int, frame_interval: int,
              batch: int) -> Timing:
    """Sequential read of every frame, cv2 resize, keep every K-th, two passes.

    Kept frames are grouped into clips of ``clip_len`` (the last one padded by
    repeating its last frame), ``batch`` clips per call of the same heads
    (``model.score_frames``).
    """
    mean = model.data_preprocessor.mean.view(1, 1, 3, 1, 1)
    std = model.data_preprocessor.std.view(1, 1, 3, 1, 1)
    crop = input_size(model)
    per_batch = clip_len * batch
    decode_s = model_s = 0.0
    scored = total = 0
    pending: List[np.ndarray] = []

    def flush() -> None:
        nonlocal model_s, scored
        n = len(pending)
        arr = np.stack(pending + [pending[-1]] * ((-n) % clip_len))
        tic = time.perf_counter()
        x = torch.from_numpy(arr).permute(0, 3, 1, 2).float()
        x = x.reshape(-1, clip_len, *x.shape[1:])
        with two_pass_features(model):
            model.score_frames((x - mean) / std)
        model_s += time.perf_counter() - tic
        scored += n
        pending.clear()

    tic_all = time.perf_counter()
    cap = cv2.VideoCapture(video)
    resize_wh = None
    while True:
        tic = time.perf_counter()
        ok, frame = cap.read()
        if not ok:
            break
        if resize_wh is None:
            resize_wh = decoded_size(cfg, frame.shape[:2], crop)
        img = naive_preprocess(frame, resize_wh, crop)
        keep = total % frame_interval == 0
        total += 1
        decode_s += time.perf_counter() - tic
        if keep:
            pending.append(img)
            if len(pending) == per_batch:
                flush()
    cap.release()
    if pending:
        flush()
    seconds = time.perf_counter() - tic_all
    return Timing('naive (full decode, 2 passes)', scored, seconds, total,
                  dict(data=decode_s, model=model_s))


def measure(model, cfg, data: TestData, args: argparse.Namespace,
            clip_len: int, frame_interval: int, batch: int) -> List[Timing]:
    """Backbone-only, end-to-end and naive timings, fastest of the rounds.

    The three are interleaved round by round, so that a burst of load from
    other processes does not fall on one row only.
    """
    loaders = {n: build_loader(cfg, n) for n in args.workers}
    if args.backbone_batch is None:
        num_clips = len(build_loader(cfg, 0).dataset)
        args.backbone_batch = min(
            min(batch, num_clips) * clip_len,
            getattr(model, 'frame_chunk', None) or batch * clip_len)
    h, w = input_size(model)
    images = torch.randn(args.backbone_batch, 3, h, w)
    log('warm-up ...')
    run_backbone(model, images[:4])
    warm_up(model, cfg)
    runs: Dict[str, List[Timing]] = {}
    for r in range(args.repeats):
        log(f'round {r + 1}/{args.repeats}: backbone, end to end '
            f'(num_workers={args.workers}), naive ...')
        timings = [run_backbone(model, images)]
        for n, loader in loaders.items():
            timing = run_end_to_end(model, loader)
            timing.name = f'ours end-to-end (workers={n})'
            timings.append(timing)
        timings.append(run_naive(model, cfg, data.video, clip_len,
                                 frame_interval, batch))
        for timing in timings:
            runs.setdefault(timing.name, []).append(timing)
    return [fastest(v) for v in runs.values()]


# ------------------------------------------------------------------- memory
def _status_mb(key: str) -> Optional[float]:
    """A ``VmRSS``/``VmHWM`` line of /proc/self/status in MiB, or None."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    """Reset the peak-RSS mark (Linux ``clear_refs``); False if unsupported."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak RSS since start or the last :func:`reset_peak_rss`, MiB.

    ``resource.getrusage(...).ru_maxrss`` (KiB on Linux); ``clear_refs``
    resets it too.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_probe_child(args: argparse.Namespace) -> None:
    """Child mode: one end-to-end pass on the probe video, JSON to stdout.

    The peak-RSS mark is reset after the model and the loader are built, so
    the peak is that of the inference itself (imports and model building
    excluded); the RSS just before is reported alongside.
    """
    data = TestData(**json.loads(args.memory_probe))
    cfg = load_config(args.config, data, args.frame_interval, args.batch)
    model = build_model(cfg)
    loader = build_loader(cfg, 0)
    reset = reset_peak_rss()
    before = _status_mb('VmRSS') if reset else peak_rss_mb()
    timing = run_end_to_end(model, loader)
    print('MEMORY_PROBE ' + json.dumps(dict(
        frames=data.num_frames, scored=timing.scored, rss_before_mb=before,
        peak_rss_mb=peak_rss_mb(), rss_after_mb=_status_mb('VmRSS'),
        peak_was_reset=reset)))


def memory_probe(args: argparse.Namespace, data: TestData) -> Dict:
    """Run :func:`memory_probe_child` on ``data`` in a fresh interpreter."""
    cmd = [sys.executable, osp.abspath(__file__), '--config', args.config,
           '--memory-probe', json.dumps(data.__dict__)]
    for flag, value in (('--frame-interval', args.frame_interval),
                        ('--batch', args.batch), ('--threads', args.threads)):
        if value is not None:
            cmd += [flag, str(value)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f'memory probe failed ({out.returncode}):\n'
                           + out.stderr[-3000:])
    line = [ln for ln in out.stdout.splitlines()
            if ln.startswith('MEMORY_PROBE ')][-1]
    return json.loads(line[len('MEMORY_PROBE '):])


# --------------------------------------------------------------------- report
def header(args: argparse.Namespace, cfg, model, data: TestData,
           frame_interval: int, clip_len: int, batch: int) -> str:
    """Machine, threads, config and sizes (call while the video exists)."""
    h, w = input_size(model)
    video_h, video_w = _video_shape(data.video)
    return '\n'.join([
        f'date: {datetime.date.today().isoformat()}   machine: '
        f'{platform.machine()}, {os.cpu_count()} CPU cores, no GPU '
        '(device: cpu)',
        f'torch {torch.__version__}, torch threads: {torch.get_num_threads()}',
        f'config: {args.config}   arch: {_arch_name(cfg)}   input: {w}x{h}',
        f'video: {data.num_frames} frames at {video_w}x{video_h}   '
        f'clip_len: {clip_len}   frame_interval: {frame_interval}   '
        f'batch: {batch} clips ({batch * clip_len} frames)',
    ])


def load_average() -> str:
    """1-minute load average (other processes skew CPU timings)."""
    try:
        return f'{os.getloadavg()[0]:.2f}'
    except OSError:
        return 'n/a'


def _video_shape(video: str) -> Tuple[int, int]:
    """``(height, width)`` from the container header."""
    cap = cv2.VideoCapture(video)
    shape = (int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
             int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)))
    cap.release()
    return shape


def _arch_name(cfg) -> str:
    """Backbone architecture in words."""
    arch = cfg.model.backbone.arch
    if isinstance(arch, str):
        return arch
    vision = arch['vision_cfg']
    return (f"tiny ViT (width {vision['width']}, {vision['layers']} layers, "
            f"patch {vision['patch_size']})")


def format_table(rows: List[Timing], backbone: Timing,
                 naive: Timing) -> str:
    """Markdown table: frames scored, seconds, rates and ratios per row."""
    cols = ('', 'scored', 'seconds', 'frames/s', 'ms/frame', 'video fr/s',
            'vs backbone', 'vs naive')
    lines = ['| ' + ' | '.join(cols) + ' |',
             '|' + '|'.join(['---'] + ['---:'] * (len(cols) - 1)) + '|']
    for r in rows:
        vs_backbone = f'{r.fps / backbone.fps:.2f}x'
        vs_naive = (f'{r.video_fps / naive.video_fps:.2f}x'
                    if r.video_frames else '')
        lines.append('| ' + ' | '.join([
            r.name, str(r.scored), f'{r.seconds:.2f}', f'{r.fps:.1f}',
            f'{1000 / r.fps:.1f}',
            f'{r.video_fps:.1f}' if r.video_frames else '',
            vs_backbone, vs_naive]) + ' |')
    return '\n'.join(lines)


def format_breakdown(rows: List[Timing], backbone: Timing) -> str:
    """Where the time of each pipeline goes.

    The backbone share is estimated as backbone passes / backbone-only rate.
    """
    lines = []
    for r in rows:
        if not r.parts:
            continue
        parts = ', '.join(f'{k} {v:.2f} s ({100 * v / r.seconds:.0f}%)'
                          for k, v in r.parts.items())
        passes = 2 if r.name.startswith('naive') else 1
        est = passes * r.scored / backbone.fps
        lines.append(f'  {r.name}: total {r.seconds:.2f} s = {parts}; '
                     f'{passes} backbone pass(es) at the backbone-only rate '
                     f'would take {est:.2f} s')
    return '\n'.join(lines)


def format_pipeline(ms_per_clip: Dict[str, float], clip_len: int) -> str:
    """One line: milliseconds per clip of each transform."""
    total = sum(ms_per_clip.values())
    parts = ', '.join(f'{k} {v:.1f}' for k, v in ms_per_clip.items())
    return (f'  test pipeline per clip ({clip_len} frames): {total:.1f} ms = '
            f'{parts} ms ({total / clip_len:.2f} ms per scored frame)')


def format_memory(results: List[Dict]) -> str:
    """Peak RSS per video length."""
    lines = ['| video frames | scored frames | RSS before run (MiB) | '
             'peak RSS during run (MiB) | peak - before (MiB) | '
             'RSS after run (MiB) |',
             '|---:|---:|---:|---:|---:|---:|']
    for r in results:
        after = r.get('rss_after_mb')
        lines.append(
            f"| {r['frames']} | {r['scored']} | {r['rss_before_mb']:.0f} | "
            f"{r['peak_rss_mb']:.0f} | "
            f"{r['peak_rss_mb'] - r['rss_before_mb']:.0f} | "
            + (f'{after:.0f} |' if after is not None else 'n/a |'))
    if results and not results[0]['peak_was_reset']:
        lines.append('(peak mark could not be reset: peaks include model '
                     'building)')
    return '\n'.join(lines)


# ----------------------------------------------------------------------- main
def tiled_length(target: int, clip_len: int, frame_interval: int) -> int:
    """Longest video <= ``target`` frames (at least one clip) that test clips
    tile exactly.

    Clips span ``(clip_len - 1) * K + 1`` frames every ``clip_len * K``; any
    other length adds a shifted last clip that overlaps the one before it
    (extra backbone work that the naive loop does not do).
    """
    stride = clip_len * frame_interval
    return clips_length(max(1, (target + frame_interval - 1) // stride),
                        clip_len, frame_interval)


def clips_length(num_clips: int, clip_len: int, frame_interval: int) -> int:
    """Video length that exactly ``num_clips`` test clips tile."""
    return num_clips * clip_len * frame_interval - (frame_interval - 1)


def defaults_for(args: argparse.Namespace, model, clip_len: int,
                 frame_interval: int, batch: int) -> argparse.Namespace:
    """Fill size defaults from the model's input size (light vs heavy)."""
    light = max(input_size(model)) <= LIGHT_INPUT_SIDE
    if args.frames is None:
        args.frames = tiled_length(600 if light else 256, clip_len,
                                   frame_interval)
    if args.video_size is None:
        args.video_size = '96x96' if light else '320x240'
    if args.repeats is None:
        args.repeats = 5 if light else 2
    if args.memory_frames is None:
        # at least one full batch, so that both runs have the same peak batch
        stride = clip_len * frame_interval
        short = max(-(-args.frames // (2 * stride)), batch)
        args.memory_frames = [
            clips_length(n, clip_len, frame_interval)
            for n in (short, short * (8 if light else 2))
        ]
    return args


def parse_size(text: str) -> Tuple[int, int]:
    """``'320x240'`` -> ``(320, 240)``."""
    w, h = (int(v) for v in text.lower().split('x'))
    return w, h


def log(msg: str) -> None:
    """Progress to stderr (the tables go to stdout)."""
    print(msg, file=sys.stderr, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run every measurement and print the report."""
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    from mmengine.config import Config
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope
    import fgclip_mm  # noqa: F401  (registers the components)
    init_default_scope('mmaction')
    MMLogger.get_instance('mmengine', log_level='WARNING')
    if args.memory_probe:
        memory_probe_child(args)
        return

    base = Config.fromfile(args.config)
    model = build_model(base)
    ds_cfg = base.test_dataloader.dataset
    clip_len = ds_cfg.clip_len
    frame_interval = args.frame_interval or ds_cfg.get('frame_interval', 1)
    batch = args.batch or base.test_dataloader.batch_size
    defaults_for(args, model, clip_len, frame_interval, batch)

    load_start = load_average()
    with tempfile.TemporaryDirectory(prefix='fgclip_bench_') as tmp:
        log('preparing the test video ...')
        if args.video:
            data = annotate_video(args.video, tmp)
        else:
            data = make_test_video(osp.join(tmp, 'main'), args.frames,
                                   parse_size(args.video_size), args.seed)
        cfg = load_config(args.config, data, frame_interval, batch)
        title = header(args, cfg, model, data, frame_interval, clip_len,
                       batch)

        rows = measure(model, cfg, data, args, clip_len, frame_interval,
                       batch)
        backbone, naive = rows[0], rows[-1]
        log('test pipeline, per transform ...')
        pipeline_ms = profile_pipeline(cfg)

        memory = []
        for n in args.memory_frames:
            if n <= 0:
                continue
            log(f'memory probe, {n} frames (fresh process) ...')
            probe = make_test_video(osp.join(tmp, f'mem{n}'), n,
                                    parse_size(args.video_size), args.seed)
            memory.append(memory_probe(args, probe))

    print(title)
    print(f'load average (1 min) at start / end: {load_start} / '
          f'{load_average()}')
    print(f'fastest of {args.repeats} interleaved rounds (other processes '
          'only add time); backbone only: '
          f'{args.backbone_batch} random frames per call; end to end and '
          'naive: full passes over the video; after warm-up\n')
    print(format_table(rows, backbone, naive))
    print('\nscored = frames through the backbone; video fr/s = video frames '
          'covered per second; vs backbone = scored frames/s over the '
          'backbone-only rate; vs naive = video fr/s over the naive one\n')
    print('time breakdown (data = decode + preprocess + collate, '
          'model = test_step / heads + backbone passes):')
    print(format_breakdown(rows[1:], backbone))
    print(format_pipeline(pipeline_ms, clip_len))
    if memory:
        print('\nRSS of the end-to-end run (num_workers=0), a fresh process '
              'per video, peak mark reset after building the model:\n')
        print(format_memory(memory))


if __name__ == '__main__':
    main()
