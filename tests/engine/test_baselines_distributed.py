"""Every snippet-feature baseline trains with 2 gloo ranks through
tools/dist_train.sh, and tools/dist_test.sh gives the metrics of one process
(issue 9), on features extracted from a tiny demo set."""

import os
import sys

import pytest

from .test_tools_end_to_end import free_port, metrics_of, run

pytestmark = pytest.mark.slow

BASELINES = {
    'mil': 'configs/baselines/mil_tiny-clip-feat_30e_demo.py',
    'rtfm': 'configs/baselines/rtfm_tiny-clip-feat_30e_demo.py',
    'arnet': 'configs/baselines/arnet_tiny-clip-feat_30e_demo.py',
    'vadclip': 'configs/baselines/vadclip_tiny-clip-feat_30e_demo.py',
}
# the demo model's random CLIP text tower (no exported clip.pt needed)
TEXT = ['model.head.text_encoder.pretrained=None']


@pytest.fixture(scope='module')
def feature_env(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo_features')
    env = dict(
        os.environ,
        FGCLIP_DEMO_ROOT=str(root),
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='1',
    )
    res, out = run(
        [
            sys.executable,
            'tools/data/make_demo_dataset.py',
            '--out',
            str(root),
            '--num-train-normal',
            '4',
            '--num-train-anomalous',
            '4',
            '--num-test-normal',
            '2',
            '--num-test-anomalous',
            '2',
            '--min-frames',
            '24',
            '--max-frames',
            '32',
        ],
        env,
    )
    assert res.returncode == 0, out[-3000:]
    res, out = run(
        [
            sys.executable,
            'tools/extract_features.py',
            'configs/fgclip_demo.py',
            '--split',
            'all',
            '--out',
            str(root / 'clip_features'),
            '--snippet-length',
            '4',
            '--device',
            'cpu',
        ],
        env,
    )
    assert res.returncode == 0, out[-3000:]
    return env


@pytest.mark.parametrize('name', sorted(BASELINES))
def test_two_gloo_ranks_train_and_test_like_one_process(
    feature_env, tmp_path, name
):
    config = BASELINES[name]
    options = ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=2']
    if name == 'vadclip':
        options += TEXT
    work = tmp_path / 'dist'
    res, out = run(
        [
            'bash',
            'tools/dist_train.sh',
            config,
            '2',
            '--work-dir',
            str(work),
            '--cfg-options',
            *options,
        ],
        dict(feature_env, PORT=str(free_port())),
    )
    assert res.returncode == 0, out[-3000:]
    assert 'gloo' in out
    ckpt = str(work / 'epoch_1.pth')
    test_opts = TEXT if name == 'vadclip' else []
    extra = ['--cfg-options', *test_opts] if test_opts else []
    res, single = run(
        [
            sys.executable,
            'tools/test.py',
            config,
            ckpt,
            '--work-dir',
            str(tmp_path / 'single'),
            *extra,
        ],
        feature_env,
    )
    assert res.returncode == 0, single[-3000:]
    res, dist = run(
        [
            'bash',
            'tools/dist_test.sh',
            config,
            ckpt,
            '2',
            '--work-dir',
            str(tmp_path / 'dist_test'),
            *extra,
        ],
        dict(feature_env, PORT=str(free_port())),
    )
    assert res.returncode == 0, dist[-3000:]
    assert metrics_of(dist) == metrics_of(single)
    assert metrics_of(single)['vad/num_videos'] == 4
