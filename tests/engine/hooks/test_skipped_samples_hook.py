import glob
import json
import logging
import os.path as osp
import re
import types
import uuid

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from mmengine.runner import Runner

from fgclip_mm.datasets import TimestampSegmentDataset
from fgclip_mm.datasets.demo_data import (
    DEMO_CLASSES,
    DemoConfig,
    make_demo_dataset,
)
from fgclip_mm.datasets.sample_skips import SKIPPED_KEY
from fgclip_mm.datasets.transforms import (
    DecodeSampledFrames,
    PackFGCLIPInputs,
    SampleAnnotatedFrames,
    VideoReaderInit,
)
from fgclip_mm.engine.hooks import SkippedSamplesHook
from fgclip_mm.engine.hooks import skipped_samples_hook as hook_module
from fgclip_mm.engine.hooks.skipped_samples_hook import summarize_skipped


def record(video_id, index, reason='cannot open'):
    return dict(
        video_id=video_id,
        ann_index=index,
        filename=f'/data/{video_id}.mp4',
        reason=f'{video_id}.mp4: {reason}',
    )


def batch(*skips):
    """A batch of one clean sample and one that replaced ``skips``."""
    clean, substitute = ActionDataSample(), ActionDataSample()
    substitute.set_metainfo({SKIPPED_KEY: list(skips)})
    return dict(inputs=[None, None], data_samples=[clean, substitute])


def stub_runner(work_dir, epoch=0, summary=None):
    dataset = types.SimpleNamespace(summary=summary or {})
    repeat = types.SimpleNamespace(dataset=dataset)  # a RepeatDataset
    return types.SimpleNamespace(
        work_dir=str(work_dir),
        epoch=epoch,
        train_dataloader=types.SimpleNamespace(dataset=repeat),
        message_hub=MessageHub.get_instance(f'skip_hook_{uuid.uuid4()}'),
        logger=logging.getLogger('skipped_samples_test'),
    )


def run_epoch(hook, runner, batches):
    hook.before_train_epoch(runner)
    for i, data_batch in enumerate(batches):
        hook.before_train_iter(runner, i, data_batch)
    hook.after_train_epoch(runner)
    runner.epoch += 1


def read_report(work_dir):
    with open(osp.join(work_dir, 'skipped_samples.json')) as f:
        return json.load(f)


def test_summary_counts_events_and_videos_and_names_reasons():
    summary = summarize_skipped(
        [record('a', 3), record('b', 5, 'empty'), record('a', 3)], max_listed=1
    )
    assert summary['num_skipped'] == 3 and summary['num_videos'] == 2
    assert summary['videos'] == {'a (entry 3)': 2, 'b (entry 5)': 1}
    assert summary['text'] == (
        '3 sample(s) skipped (2 video(s)): a (entry 3) x2: a.mp4: cannot '
        'open ...'
    )


def test_epochs_and_run_are_counted_logged_and_written(tmp_path, caplog):
    runner = stub_runner(tmp_path, summary=dict(num_missing_videos_skipped=2))
    hook = SkippedSamplesHook()
    hook.before_train(runner)
    with caplog.at_level(logging.INFO, logger='skipped_samples_test'):
        run_epoch(hook, runner, [batch(record('a', 3)), batch()])
        run_epoch(hook, runner, [batch()])
        run_epoch(hook, runner, [batch(record('a', 3), record('b', 5))])
        hook.after_train(runner)
    report = read_report(tmp_path)
    assert report['load_time']['num_missing_videos_skipped'] == 2
    assert [e['num_skipped'] for e in report['epochs']] == [1, 0, 2]
    assert report['epochs'][2]['records'][1]['filename'] == '/data/b.mp4'
    assert report['total']['num_skipped'] == 3
    assert report['total']['videos'] == {'a (entry 3)': 2, 'b (entry 5)': 1}
    hub = runner.message_hub
    assert hub.get_scalar('train/skipped_samples').current() == 2
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith('skipped samples in epoch 1: 1 sample(s)')
    assert caplog.records[0].levelno == logging.WARNING
    assert lines[1] == (
        'skipped samples in epoch 2: 0 sample(s) skipped (0 video(s))'
    )
    assert lines[-1].startswith(
        'skipped samples in the run: 3 sample(s) skipped (2 video(s)): '
        'a (entry 3) x2'
    )
    assert lines[-1].endswith(
        'left out at load time: num_missing_videos_skipped=2, '
        'num_invalid_skipped=0, num_repaired=0'
    )


def test_counts_of_all_ranks_are_summed(tmp_path, monkeypatch):
    other_rank = [record('c', 9), record('c', 9)]
    monkeypatch.setattr(
        hook_module, 'all_gather_object', lambda obj: [obj, other_rank]
    )
    runner = stub_runner(tmp_path)
    hook = SkippedSamplesHook()
    hook.before_train(runner)
    run_epoch(hook, runner, [batch(record('a', 3))])
    epoch = read_report(tmp_path)['epochs'][0]
    assert epoch['num_skipped'] == 3
    assert epoch['videos'] == {'c (entry 9)': 2, 'a (entry 3)': 1}


def test_resume_keeps_the_reported_epochs_in_the_run_total(tmp_path):
    runner = stub_runner(tmp_path)
    hook = SkippedSamplesHook()
    hook.before_train(runner)
    for _ in range(3):
        run_epoch(hook, runner, [batch(record('a', 3))])
    resumed = stub_runner(tmp_path, epoch=2)  # from epoch_2.pth
    hook = SkippedSamplesHook()
    hook.before_train(resumed)
    run_epoch(hook, resumed, [batch()])
    report = read_report(tmp_path)
    assert [e['num_skipped'] for e in report['epochs']] == [1, 1, 0]
    assert report['total']['num_skipped'] == 2


# ------------------------------------------------------ a real training run
class MeanModel(BaseModel):
    """One parameter fitted to the mean pixel of each clip."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='loss'):
        x = torch.stack([clip.float().mean() / 255 for clip in inputs])
        return dict(loss=((self.w - x) ** 2).mean())


@pytest.fixture(scope='module')
def set_with_two_bad_videos(tmp_path_factory):
    """A 6-video demo set plus an empty and a text ``.mp4`` entry."""
    root = str(tmp_path_factory.mktemp('skips'))
    make_demo_dataset(
        root,
        seed=3,
        cfg=DemoConfig(
            num_train_normal=3,
            num_train_anomalous=3,
            num_test_normal=0,
            num_test_anomalous=0,
            size=32,
            min_frames=16,
            max_frames=24,
        ),
    )
    with open(osp.join(root, 'train.json')) as f:
        entries = json.load(f)
    for name, data in (('empty', b''), ('text', b'not a video\n')):
        rel = f'videos/train/Normal/{name}.mp4'  # the folder names the class
        with open(osp.join(root, rel), 'wb') as f:
            f.write(data)
        entries.append(dict(entries[0], video=rel))
    with open(osp.join(root, 'train.json'), 'w') as f:
        json.dump(entries, f)
    return root


def test_training_with_workers_reports_every_skip(
    set_with_two_bad_videos, tmp_path
):
    root = set_with_two_bad_videos
    dataset = TimestampSegmentDataset(
        'train.json',
        pipeline=[
            VideoReaderInit(on_error='skip'),
            SampleAnnotatedFrames(clip_len=4, strategy='full_video'),
            DecodeSampledFrames(on_error='skip'),
            PackFGCLIPInputs(),
        ],
        data_root=root,
        data_prefix=dict(video=root),
        metainfo=dict(classes=DEMO_CLASSES),
    )
    runner = Runner(
        model=MeanModel(),
        work_dir=str(tmp_path),
        experiment_name=f'skip_hook_{uuid.uuid4().hex[:8]}',
        train_dataloader=dict(
            dataset=dataset,
            batch_size=3,
            num_workers=2,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='pseudo_collate'),
        ),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        default_hooks=dict(checkpoint=None),
        custom_hooks=[dict(type='SkippedSamplesHook')],
        randomness=dict(seed=0),
        default_scope='mmaction',
    )
    runner.train()
    report = read_report(tmp_path)
    assert len(report['epochs']) == 2
    for epoch in report['epochs']:
        # the sampler draws each bad entry once per epoch; a substitute may
        # be a bad one again
        names = {r['video_id'] for r in epoch['records']}
        assert names == {'empty', 'text'}
        assert epoch['num_skipped'] >= 2
    assert report['total']['num_skipped'] == sum(
        e['num_skipped'] for e in report['epochs']
    )
    log = open(glob.glob(str(tmp_path / '*' / '*.log'))[0]).read()
    assert 'skipped samples in epoch 2: ' in log
    assert 'skipped samples in the run: ' in log
    # the summary names each video once, then why it failed
    assert re.search(
        r'in the run: .*empty \(entry 6\) x\d+: /\S+/empty\.mp4: the '
        r'video file is empty \(0 bytes',
        log,
    )
    assert np.isfinite(runner.model.w.item())
