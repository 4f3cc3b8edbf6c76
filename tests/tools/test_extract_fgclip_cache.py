"""tools/extract_fgclip_cache.py on a small demo dataset (in process)."""

import importlib.util
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'fgclip_demo_cached.py')


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        'extract_fgclip_cache',
        osp.join(REPO, 'tools', 'extract_fgclip_cache.py'),
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    from fgclip_mm.datasets.demo_data import DemoConfig, make_demo_dataset

    root = tmp_path_factory.mktemp('fgclip_cache')
    make_demo_dataset(
        str(root / 'demo'),
        seed=0,
        cfg=DemoConfig(
            num_train_normal=1,
            num_train_anomalous=2,
            num_test_normal=0,
            num_test_anomalous=0,
            min_frames=20,
            max_frames=24,
        ),
    )
    os.environ['FGCLIP_DEMO_ROOT'] = str(root / 'demo')
    os.environ['FGCLIP_CACHE_DIR'] = str(root / 'cache')
    init_default_scope('mmaction')
    cfg = Config.fromfile(CONFIG)
    torch.manual_seed(1)
    model = MODELS.build(cfg.model).eval()
    ckpt = str(root / 'model.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    tool = _load_tool()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        assert (
            tool.main(
                [
                    CONFIG,
                    '--out',
                    str(root / 'cache'),
                    '--device',
                    'cpu',
                    '--fp32',
                    '--chunk',
                    '5',
                    '--checkpoint',
                    ckpt,
                ]
            )
            == 0
        )
    finally:
        torch.set_num_threads(threads)
    yield dict(root=root, cfg=cfg, model=model, tool=tool, ckpt=ckpt)
    for key in ('FGCLIP_DEMO_ROOT', 'FGCLIP_CACHE_DIR'):
        os.environ.pop(key, None)


def _dataset(cfg, pipeline):
    ds_cfg = cfg.train_dataloader.dataset.dataset.copy()
    ds_cfg['pipeline'] = pipeline
    return DATASETS.build(ds_cfg)


def test_index_records_every_video_and_region(setup):
    with open(setup['root'] / 'cache' / 'index.json') as f:
        index = json.load(f)
    videos = index['splits']['train']
    assert len(videos) == 3 and index['kind'] == 'fgclip_frames'
    for rec in videos.values():
        arr = np.load(setup['root'] / 'cache' / rec['path'])
        assert arr.dtype == np.float32
        assert arr.shape == (rec['total_frames'], 2 + len(rec['tracks']), 64)
    assert sum(len(r['tracks']) for r in videos.values()) >= 2


def test_cache_equals_the_backbone_and_head_on_the_same_frames(setup):
    """Same frames and boxes (no flip): cached global and region features
    equal what the model computes from the decoded frames (1e-5)."""
    cfg, model = setup['cfg'], setup['model']
    raw_pipe = [
        t
        for t in Config.fromfile(
            osp.join(REPO, 'configs', 'fgclip_demo.py')
        ).train_dataloader.dataset.dataset.pipeline
        if t['type'] != 'FlipWithBoxes'
    ]
    raw = _dataset(cfg, raw_pipe)
    cached = _dataset(cfg, cfg.train_dataloader.dataset.dataset.pipeline)
    for i in range(len(raw)):
        np.random.seed(i)
        a = raw[i]
        np.random.seed(i)
        b = cached[i]
        sa, sb = a['data_samples'], b['data_samples']
        assert torch.equal(sa.frame_inds, sb.frame_inds)
        assert torch.equal(sa.boxes, sb.boxes)
        x = model.data_preprocessor(
            dict(inputs=[a['inputs']], data_samples=None)
        )['inputs']
        glob, dense = model.extract_feat(x)
        assert torch.allclose(sb.frame_feats, glob[0], atol=1e-5)
        mask = sa.bbox_mask
        valid = mask.nonzero()
        pooled = model.region_head.pool_boxes(
            dense[0], sa.boxes[mask], valid[:, 0]
        )
        assert mask.any()
        assert torch.allclose(sb.region_feats[mask], pooled, atol=1e-5)
        assert not sb.region_feats[~mask].any()


def test_rerun_skips_finished_videos_and_other_settings_are_refused(setup):
    out = setup['root'] / 'cache'
    files = sorted((out / 'train').glob('*.npy'))
    mtimes = [os.stat(f).st_mtime_ns for f in files]
    args = [
        CONFIG,
        '--out',
        str(out),
        '--device',
        'cpu',
        '--fp32',
        '--checkpoint',
        setup['ckpt'],
    ]
    assert setup['tool'].main(args) == 0
    assert [os.stat(f).st_mtime_ns for f in files] == mtimes
    with pytest.raises(SystemExit, match='other settings'):
        setup['tool'].main(args + ['--frame-stride', '4'])


def test_frame_stride_caches_every_nth_frame(setup):
    out = setup['root'] / 'stride3'
    assert (
        setup['tool'].main(
            [
                CONFIG,
                '--out',
                str(out),
                '--device',
                'cpu',
                '--frame-stride',
                '3',
                '--checkpoint',
                setup['ckpt'],
            ]
        )
        == 0
    )
    full = setup['root'] / 'cache' / 'train'
    for path in (out / 'train').glob('*.npy'):
        every = np.load(full / path.name)
        strided = np.load(path)
        assert strided.dtype == np.float16
        assert len(strided) == -(-len(every) // 3)
        np.testing.assert_allclose(strided, every[::3], atol=2e-2, rtol=2e-3)


def test_cached_config_samples_and_boxes_like_the_raw_config():
    """Only the decoding steps differ: same sampling and box settings, no
    pixel transform."""

    def steps(path):
        pipe = Config.fromfile(path).train_dataloader.dataset.dataset.pipeline
        return {t['type']: t for t in pipe}

    raw = steps(osp.join(REPO, 'configs', 'fgclip_demo.py'))
    cached = steps(CONFIG)
    for name in ('SampleAnnotatedFrames', 'GenerateRegionBoxes'):
        assert cached[name] == raw[name], name
    assert not {'DecodeSampledFrames', 'FlipWithBoxes'} & set(cached)
    assert Config.fromfile(CONFIG).model.backbone.frozen
