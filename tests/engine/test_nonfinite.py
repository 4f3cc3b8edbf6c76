"""A NaN loss stops training before the optimizer step, naming the epoch,
iteration, loss terms and videos (NonFiniteLossHook, issue 13 part 5), or is
skipped, counted and reported; for FG-CLIP and a snippet baseline (MIL),
with NaN injected into a module output and into the data."""

import glob
import json
import os.path as osp
import uuid

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from fgclip_mm.datasets.demo_data import DemoConfig, make_demo_dataset
from fgclip_mm.engine.hooks import NonFiniteLossError, NonFiniteLossHook

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MIL = 'configs/baselines/mil_tiny-clip-feat_30e_demo.py'
NAN = float('nan')


class Recorder(Hook):
    """Weights after every iteration and video ids of every batch."""

    def __init__(self, model):
        self.model = model
        self.weights = []  # [0]: after initialisation, then per iteration
        self.batches = []

    def snapshot(self):
        return {
            k: v.detach().clone() for k, v in self.model.state_dict().items()
        }

    def before_train(self, runner):
        self.weights.append(self.snapshot())

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.batches.append(
            [ds.metainfo['video_id'] for ds in data_batch['data_samples']]
        )

    def after_train_iter(self, runner, batch_idx, data_batch=None, **kw):
        self.weights.append(self.snapshot())


def same(a, b) -> bool:
    return all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo'))
    make_demo_dataset(
        root,
        seed=0,
        cfg=DemoConfig(
            num_train_normal=2,
            num_train_anomalous=2,
            num_test_normal=1,
            num_test_anomalous=1,
            size=64,
            min_frames=24,
            max_frames=32,
        ),
    )
    return root


def write_features(root: str, nan_video=None) -> None:
    """A snippet-feature index of 4 training videos (8 snippets x 64-d);
    ``nan_video``'s features hold one NaN."""
    rng = np.random.default_rng(0)
    videos = {
        'Normal_a': 'Normal',
        'Normal_b': 'Normal',
        'Fighting_a': 'Fighting',
        'Explosion_a': 'Explosion',
    }
    split = {}
    for name, cls in videos.items():
        feats = rng.standard_normal((8, 1, 64)).astype(np.float32)
        if name == nan_video:
            feats[3, 0, 5] = NAN
        np.save(osp.join(root, f'{name}.npy'), feats)
        split[name] = dict(
            path=f'{name}.npy', class_name=cls, num_snippets=8, total_frames=32
        )
    index = dict(snippet_length=4, splits=dict(train=split))
    with open(osp.join(root, 'index.json'), 'w') as f:
        json.dump(index, f)


def runner_of(config, work_dir, monkeypatch, root, **options) -> Runner:
    monkeypatch.setenv('FGCLIP_DEMO_ROOT', root)
    cfg = Config.fromfile(osp.join(REPO, config))
    if config == MIL:
        cfg.train_dataloader.dataset.ann_file = osp.join(root, 'index.json')
        cfg.train_dataloader.batch_size = 2
    else:
        cfg.train_dataloader.dataset.times = 1
        cfg.train_dataloader.batch_size = 2
    cfg.train_cfg.max_epochs = options.pop('epochs', 1)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.nonfinite_loss.update(options)
    cfg.log_level = 'INFO'
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'nonfinite_{uuid.uuid4().hex}'
    runner = Runner.from_cfg(cfg)
    return runner


def nan_output_at(module, call: int, index: int = 0) -> None:
    """From the ``call``-th forward on, ``module``'s output (its
    ``index``-th element for a tuple, its ``scores`` for a dict) is NaN."""
    calls = [0]

    def hook(mod, args, out):
        calls[0] += 1
        if calls[0] != call:
            return None
        if isinstance(out, dict):
            return dict(out, scores=out['scores'] * NAN)
        out = list(out)
        out[index] = out[index] * NAN
        return tuple(out)

    module.register_forward_hook(hook)


def train_with_recorder(runner):
    recorder = Recorder(runner.model)
    runner.register_hook(recorder, priority='LOWEST')
    return recorder


def test_nan_backbone_output_stops_fgclip_before_the_step(
    demo_root, tmp_path, monkeypatch
):
    runner = runner_of(
        'configs/fgclip_demo.py', tmp_path, monkeypatch, demo_root
    )
    recorder = train_with_recorder(runner)
    nan_output_at(runner.model.backbone, call=2)  # one call per iteration
    with pytest.raises(NonFiniteLossError) as err:
        runner.train()
    message = str(err.value)
    assert 'epoch 1, iteration 2 (batch 2/2' in message
    assert 'loss_global=nan' in message
    assert 'loss_region' not in message  # the region term stayed finite
    assert recorder.batches[1] and all(
        video in message for video in recorder.batches[1]
    )
    assert 'Non-finite input values' not in message  # the data were fine
    # the first step changed the weights, the faulty one did not
    assert len(recorder.weights) == 2
    assert not same(recorder.weights[0], recorder.weights[1])
    assert same(recorder.weights[1], recorder.snapshot())


class NaNPixels(Hook):
    """Turns one sample's frames of the first batch into floats with a NaN
    (the data preprocessor normalises float frames like uint8 ones)."""

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if batch_idx == 0:
            inputs = data_batch['inputs']
            data_batch['inputs'] = [x.float() for x in inputs]
            data_batch['inputs'][1].view(-1)[7] = NAN


def test_nan_pixel_input_names_the_video_and_changes_nothing(
    demo_root, tmp_path, monkeypatch
):
    runner = runner_of(
        'configs/fgclip_demo.py', tmp_path, monkeypatch, demo_root
    )
    recorder = train_with_recorder(runner)
    runner.register_hook(NaNPixels(), priority='HIGHEST')
    with pytest.raises(NonFiniteLossError) as err:
        runner.train()
    message = str(err.value)
    bad = recorder.batches[0][1]
    assert 'epoch 1, iteration 1 (batch 1/2' in message
    assert f'Non-finite input values in: {bad} (inputs).' in message
    assert same(recorder.weights[0], recorder.snapshot())


def test_nan_cached_features_stop_a_snippet_baseline(tmp_path, monkeypatch):
    write_features(str(tmp_path), nan_video='Fighting_a')
    runner = runner_of(MIL, tmp_path / 'work', monkeypatch, str(tmp_path))
    recorder = train_with_recorder(runner)
    with pytest.raises(NonFiniteLossError) as err:
        runner.train()
    message = str(err.value)
    failed = len(recorder.batches)
    assert f'iteration {failed} (batch {failed}/2' in message
    assert 'Fighting_a (inputs)' in message
    assert 'loss_rank=nan' in message
    assert same(recorder.weights[-1], recorder.snapshot())


def test_skip_mode_skips_counts_and_reports(tmp_path, monkeypatch):
    write_features(str(tmp_path))
    runner = runner_of(
        MIL,
        tmp_path / 'work',
        monkeypatch,
        str(tmp_path),
        action='skip',
        epochs=2,
    )
    recorder = train_with_recorder(runner)
    nan_output_at(runner.model.head, call=2)
    runner.train()  # completes
    weights = recorder.weights
    assert len(weights) == 5  # 2 epochs x 2 iterations
    assert same(weights[1], weights[2])  # iteration 2 was skipped
    assert not same(weights[2], weights[3])  # the next one was not
    hook = next(h for h in runner.hooks if isinstance(h, NonFiniteLossHook))
    assert [(s['epoch'], s['iter']) for s in hook.skipped] == [(1, 2)]
    assert runner.message_hub.get_info('nonfinite_skips') == 1
    (log,) = glob.glob(osp.join(runner.log_dir, '*.log'))
    text = open(log).read()
    assert (
        '1 training steps with a non-finite loss were skipped in '
        'epoch 1' in text
    )
    assert (
        '0 training steps with a non-finite loss were skipped in '
        'epoch 2 (1 in the run)' in text
    )
    assert (
        '1 training steps with a non-finite loss were skipped in this '
        'run: epoch 1 iteration 2' in text
    )


def test_skip_mode_raises_past_max_skips(tmp_path, monkeypatch):
    write_features(str(tmp_path), nan_video='Normal_a')
    runner = runner_of(
        MIL,
        tmp_path / 'work',
        monkeypatch,
        str(tmp_path),
        action='skip',
        max_skips=0,
    )
    with pytest.raises(NonFiniteLossError, match='more than max_skips=0'):
        runner.train()


def test_amp_optim_wrapper_is_guarded_too(tmp_path, monkeypatch):
    # AmpOptimWrapper insists on an accelerator; on CPU its GradScaler
    # disables itself and autocast runs in bfloat16
    monkeypatch.setattr(
        'mmengine.optim.optimizer.amp_optimizer_wrapper.is_cuda_available',
        lambda: True,
    )
    write_features(str(tmp_path))
    monkeypatch.setenv('FGCLIP_DEMO_ROOT', str(tmp_path))
    runner = runner_of(MIL, tmp_path / 'work', monkeypatch, str(tmp_path))
    wrapper = runner.optim_wrapper
    assert isinstance(wrapper, dict)  # still a config here
    wrapper['type'] = 'AmpOptimWrapper'
    recorder = train_with_recorder(runner)
    nan_output_at(runner.model.head, call=2)
    with pytest.raises(NonFiniteLossError, match='iteration 2'):
        runner.train()
    assert type(runner.optim_wrapper).__name__ == 'AmpOptimWrapper'
    assert not same(recorder.weights[0], recorder.weights[1])
    assert same(recorder.weights[1], recorder.snapshot())


def test_bad_action_is_refused():
    with pytest.raises(ValueError, match="'raise' or 'skip', got 'ignore'"):
        NonFiniteLossHook(action='ignore')


def test_non_finite_cached_fgclip_features_are_named():
    from mmaction.structures import ActionDataSample

    from fgclip_mm.engine.hooks.nonfinite_loss_hook import _non_finite_inputs

    samples = []
    for video in ('a', 'b'):
        ds = ActionDataSample(metainfo=dict(video_id=video))
        ds.frame_feats = torch.zeros(4, 8)
        ds.region_feats = torch.zeros(4, 2, 8)
        ds.gt_label = torch.tensor([1])  # integer fields are never NaN
        samples.append(ds)
    samples[1].region_feats[2, 1, 3] = float('inf')
    batch = dict(inputs=[torch.zeros(1), torch.zeros(1)], data_samples=samples)
    assert _non_finite_inputs(batch) == ['b (region_feats)']
    batch['inputs'][0][0] = NAN
    assert _non_finite_inputs(batch) == ['a (inputs)', 'b (region_feats)']
