import json
import logging
import types

import torch
from mmengine.logging import MessageHub

from fgclip_mm.engine.hooks import RunStatsHook, count_parameters


def stub_runner(work_dir, epoch=0):
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 1))
    model[0].requires_grad_(False)
    return types.SimpleNamespace(
        work_dir=str(work_dir),
        model=model,
        epoch=epoch,
        message_hub=MessageHub.get_instance('run_stats_test'),
        logger=logging.getLogger('run_stats_test'),
    )


def run_epoch(hook, runner, batches):
    hook.before_train_epoch(runner)
    for i, size in enumerate(batches):
        hook.after_train_iter(runner, i, dict(inputs=[None] * size))
    hook.after_train_epoch(runner)
    runner.epoch += 1


def test_counts_and_per_epoch_stats_are_written(tmp_path):
    runner = stub_runner(tmp_path)
    assert count_parameters(runner.model) == dict(
        params=19, trainable_params=4
    )
    hook = RunStatsHook()
    hook.before_train(runner)
    run_epoch(hook, runner, [4, 4, 2])
    run_epoch(hook, runner, [4])
    stats = json.loads((tmp_path / 'run_stats.json').read_text())
    assert (stats['params'], stats['trainable_params']) == (19, 4)
    assert [e['epoch'] for e in stats['epochs']] == [1, 2]
    first = stats['epochs'][0]
    assert first['epoch_time'] > 0 and first['peak_rss_mb'] > 0
    assert abs(first['samples_per_s'] * first['epoch_time'] - 10) < 0.1
    hub = runner.message_hub
    assert (
        hub.get_scalar('train/epoch_time').current()
        == stats['epochs'][1]['epoch_time']
    )


def test_resume_keeps_measured_epochs_and_drops_later_ones(tmp_path):
    (tmp_path / 'run_stats.json').write_text(
        json.dumps(
            dict(
                epochs=[
                    dict(epoch=1, epoch_time=1.0),
                    dict(epoch=2, epoch_time=2.0),
                    dict(epoch=3, epoch_time=3.0),
                ]
            )
        )
    )
    runner = stub_runner(tmp_path, epoch=2)  # resumed from epoch_2.pth
    hook = RunStatsHook()
    hook.before_train(runner)
    run_epoch(hook, runner, [1])
    stats = json.loads((tmp_path / 'run_stats.json').read_text())
    assert [e['epoch'] for e in stats['epochs']] == [1, 2, 3]
    assert stats['epochs'][1]['epoch_time'] == 2.0
    assert stats['epochs'][2]['epoch_time'] != 3.0


def test_checkpoints_carry_the_record_and_a_test_run_adds_it_to_the_dump(
    tmp_path,
):
    import numpy as np

    from fgclip_mm.evaluation.functional import load_vad_dump, save_vad_dump

    runner = stub_runner(tmp_path / 'train')
    (tmp_path / 'train').mkdir()
    hook = RunStatsHook()
    hook.before_train(runner)
    run_epoch(hook, runner, [4, 4])
    checkpoint = dict(meta=dict(epoch=1))
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint['meta']['run_stats'] == hook.stats
    assert checkpoint['meta']['epoch'] == 1

    # a test run elsewhere: the record comes from the loaded checkpoint
    video = dict(
        scores=np.array([0.1, 0.9]),
        labels=np.array([0, 1], np.uint8),
        class_name='Fighting',
    )
    dump = save_vad_dump(str(tmp_path / 'test' / 'results'), {'v': video})
    metric = types.SimpleNamespace(dump_file=str(tmp_path / 'test/results'))
    test_runner = stub_runner(tmp_path / 'test')
    test_runner.test_loop = types.SimpleNamespace(
        evaluator=types.SimpleNamespace(metrics=[metric])
    )
    tester = RunStatsHook()
    tester.after_load_checkpoint(test_runner, checkpoint)
    tester.after_test_epoch(test_runner, metrics={})
    videos, meta = load_vad_dump(dump)
    assert meta['run_stats']['epochs'] == hook.stats['epochs']
    assert meta['format_version'] == 1
    np.testing.assert_array_equal(videos['v']['scores'], [0.1, 0.9])


def test_summary_averages_time_and_throughput_and_keeps_peak_memory():
    from fgclip_mm.engine.hooks.run_stats_hook import summarize_run_stats

    stats = dict(
        params=10,
        epochs=[
            dict(epoch_time=2.0, samples_per_s=4.0, peak_rss_mb=500),
            dict(epoch_time=4.0, samples_per_s=2.0, peak_rss_mb=700),
        ],
    )
    assert summarize_run_stats(stats) == dict(
        params=10, epoch_time=3.0, samples_per_s=3.0, peak_rss_mb=700
    )
