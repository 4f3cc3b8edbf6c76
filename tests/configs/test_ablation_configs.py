"""The seed plan's ablations on UCF-Crime (configs/ablations/fgclip_ucf_*)
and on the demo split with small anomalies: each changes only its fields,
and every UCF-Crime ablation builds its model and datasets on the real
annotation files (no videos needed)."""

import csv
import glob
import importlib.util
import os.path as osp

import numpy as np
import pytest
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config

from fgclip_mm.datasets.pseudo_boxes import save_pseudo_boxes

from .test_configs import (  # noqa: F401  (ucf_root is a fixture)
    CONFIG_DIR,
    DATA,
    REPO,
    load,
    local_bases,
    resolved_diff,
    ucf_root,
)

UCF = osp.join(CONFIG_DIR, 'fgclip_ucf.py')
DEMO_SMALL = osp.join(CONFIG_DIR, 'fgclip_demo-small.py')
STEP = 'train_dataloader.dataset.pipeline'
# Each ablation that trains: the resolved fields that differ from
# fgclip_ucf.py, with their values.
UCF_ABLATIONS = {
    'fgclip_ucf_global-only.py': {
        'model.loss.global_weight': 1.0,
        'model.loss.region_weight': 0.0,
        'model.scorer.alpha': 1.0,
    },
    'fgclip_ucf_region-only.py': {
        'model.loss.global_weight': 0.0,
        'model.loss.region_weight': 1.0,
        'model.scorer.alpha': 0.0,
    },
    'fgclip_ucf_sampling-full-video.py': {
        f'{STEP}[1].strategy': 'full_video',
        f'{STEP}[1].clip_len': 256,
        'model.temporal_adapter.max_frames': 256,
    },
    'fgclip_ucf_sampling-random-clip.py': {
        f'{STEP}[1].strategy': 'random_clip'
    },
    'fgclip_ucf_regions-1.py': {f'{STEP}[3].max_regions': 1},
    'fgclip_ucf_regions-8.py': {f'{STEP}[3].max_regions': 8},
    'fgclip_ucf_bbox-drop.py': {f'{STEP}[3].strategy': 'drop'},
    'fgclip_ucf_bbox-pseudo.py': {
        f'{STEP}[3].type': 'GeneratePseudoRegionBoxes',
        f'{STEP}[3].pseudo_file': 'data/ucf_crime/pseudo_boxes.json',
    },
    'fgclip_ucf_lambda-0.1.py': {'model.loss.region_weight': 0.1},
    'fgclip_ucf_lambda-0.3.py': {'model.loss.region_weight': 0.3},
    'fgclip_ucf_lambda-1.0.py': {'model.loss.region_weight': 1.0},
    'fgclip_ucf_finetune.py': {
        'model.backbone.frozen': False,
        'model.backbone.freeze_text': False,
    },
}
# Test-only or other-test-set rows, checked one by one below.
UCF_OTHERS = ('fgclip_ucf_zeroshot-global-only.py', 'fgclip_ucf_cross-xd.py')
UCF_FILES = sorted(
    osp.basename(p)
    for p in glob.glob(osp.join(CONFIG_DIR, 'ablations', 'fgclip_ucf_*.py'))
)
# helper E's ablation (no temporal layer) may exist for UCF-Crime as well
KNOWN = set(UCF_ABLATIONS) | set(UCF_OTHERS)
TINY_ARCH = load(
    osp.join(CONFIG_DIR, '_base_', 'models', 'fgclip_tiny.py')
).model.backbone.arch


@pytest.fixture
def default_roots(monkeypatch):
    for name in ('FGCLIP_UCF_ROOT', 'FGCLIP_XD_ROOT', 'FGCLIP_DEMO_ROOT'):
        monkeypatch.delenv(name, raising=False)


def test_every_ucf_ablation_of_the_seed_plan_is_there():
    assert KNOWN <= set(UCF_FILES)
    unknown = set(UCF_FILES) - KNOWN
    assert all('temporal' in name for name in unknown), unknown


@pytest.mark.parametrize('name', sorted(UCF_ABLATIONS))
def test_ucf_ablation_differs_from_fgclip_ucf_only_in_its_fields(
    name, default_roots
):
    path = osp.join(CONFIG_DIR, 'ablations', name)
    assert local_bases(path) == [UCF]
    diff = resolved_diff(load(UCF), load(path))
    assert {k: new for k, (_, new) in diff.items()} == UCF_ABLATIONS[name]


def test_zero_shot_row_is_test_only_with_the_global_score(default_roots):
    cfg = load(osp.join(CONFIG_DIR, 'ablations', UCF_OTHERS[0]))
    assert cfg.train_dataloader is None and cfg.train_cfg is None
    assert cfg.model.scorer.alpha == 1.0
    assert cfg.test_dataloader == load(UCF).test_dataloader


def test_cross_dataset_row_trains_on_ucf_and_tests_on_xd(default_roots):
    cfg = load(osp.join(CONFIG_DIR, 'ablations', UCF_OTHERS[1]))
    xd = load(osp.join(CONFIG_DIR, 'fgclip_xd.py'))
    assert cfg.train_dataloader == load(UCF).train_dataloader
    assert cfg.model.scorer.classes == xd.model.scorer.classes
    for key in ('ann_file', 'data_prefix', 'metainfo', 'pipeline'):
        assert (
            cfg.test_dataloader.dataset[key] == xd.test_dataloader.dataset[key]
        ), key
    assert cfg.test_evaluator == xd.test_evaluator


def _xd_root(tmp_path, monkeypatch):
    """XD-Violence's official test annotation (fixture) in the layout of
    tools/data/convert_xd_violence.py, with the frame counts of the
    community's 16-frame snippet list."""
    from fgclip_mm.annotations import (
        format_ucf_line,
        parse_xd_violence_annotations,
    )

    spec = importlib.util.spec_from_file_location(
        'xd_tool', osp.join(REPO, 'tools', 'data', 'convert_xd_violence.py')
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    xd = osp.join(DATA, 'xd_violence')
    intervals = parse_xd_violence_annotations(osp.join(xd, 'annotations.txt'))
    with open(osp.join(xd, 'test_snippet16_lengths.csv')) as f:
        lengths = {
            r['video']: int(r['label_frames']) for r in csv.DictReader(f)
        }
    lines = [
        format_ucf_line(
            f'{vid}.mp4',
            tool.class_of(f'{vid}.mp4'),
            np.asarray(intervals.get(vid, []), np.int64).reshape(-1, 2),
            total,
        )
        for vid, total in lengths.items()
    ]
    root = tmp_path / 'xd'
    root.mkdir()
    (root / 'test_annotations.txt').write_text('\n'.join(lines) + '\n')
    monkeypatch.setenv('FGCLIP_XD_ROOT', str(root))
    return len(lines)


def _pseudo_file(root, dataset):
    """Person 'detections' for two real normal training videos."""
    normal = [
        dataset.get_data_info(i)['video_id']
        for i in range(len(dataset))
        if dataset.get_data_info(i)['label'] == 0
    ][:2]
    rows = {
        vid: [[f, 0.2, 0.1, 0.5, 0.9, 0.8] for f in range(0, 300, 5)]
        for vid in normal
    }
    save_pseudo_boxes(str(root / 'pseudo_boxes.json'), rows)
    return normal


@pytest.mark.parametrize('name', UCF_FILES)
def test_ucf_ablation_builds_model_and_datasets_on_the_real_annotations(
    name,
    ucf_root,  # noqa: F811  (the fixture of test_configs.py)
    tmp_path,
    monkeypatch,
):
    num_xd = _xd_root(tmp_path, monkeypatch)
    save_pseudo_boxes(str(ucf_root / 'pseudo_boxes.json'), {})
    # parsed now: the data roots come from the environment
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'ablations', name))
    if name == 'fgclip_ucf_bbox-pseudo.py':
        plain = DATASETS.build(
            dict(
                Config.fromfile(UCF).train_dataloader.dataset,
                check_files=False,
            )
        )
        normal = _pseudo_file(ucf_root, plain)
    # ViT-B/16 weights are not in the repository: the tiny architecture
    # builds every other component of the config as shipped
    cfg.model.backbone.arch = TINY_ARCH
    model = MODELS.build(cfg.model)
    assert model.scorer.alpha == cfg.model.scorer.alpha
    if cfg.train_dataloader is not None:
        train = DATASETS.build(
            dict(cfg.train_dataloader.dataset, check_files=False)
        )
        assert len(train) == 1245  # official test videos excluded
    test = DATASETS.build(dict(cfg.test_dataloader.dataset, check_files=False))
    videos = {test.get_data_info(i)['video_id'] for i in range(len(test))}
    assert len(videos) == (num_xd if 'cross-xd' in name else 290)
    if name == 'fgclip_ucf_bbox-pseudo.py':
        _check_pseudo_step(train, normal)


def _check_pseudo_step(train, normal):
    """The pseudo row's box step gives a real normal entry the file's
    boxes (the method gives the virtual box)."""
    step = train.pipeline.transforms[3]
    assert type(step).__name__ == 'GeneratePseudoRegionBoxes'
    index = next(
        i
        for i in range(len(train))
        if train.get_data_info(i)['video_id'] == normal[0]
    )
    sample = dict(train.get_data_info(index), fps=30.0)
    sample['frame_inds'] = np.arange(0, 80, 10)
    out = step(sample)
    assert out['bbox_mask'][:, 0].all()
    np.testing.assert_allclose(out['boxes'][0, 0], [0.2, 0.1, 0.5, 0.9])


def test_ucf_full_video_row_samples_256_frames_over_the_whole_video(
    ucf_root,  # noqa: F811  (the fixture of test_configs.py)
):
    cfg = Config.fromfile(
        osp.join(CONFIG_DIR, 'ablations', 'fgclip_ucf_sampling-full-video.py')
    )
    train = DATASETS.build(
        dict(cfg.train_dataloader.dataset, check_files=False)
    )
    sampler = train.pipeline.transforms[1]
    info = dict(train.get_data_info(0), total_frames=5000, fps=30.0)
    inds = sampler(info)['frame_inds']
    assert len(inds) == 256 and inds[0] < 5000 / 256 and inds[-1] > 4900


def test_demo_small_differs_from_the_demo_only_in_its_data():
    from fgclip_mm.datasets.demo_data import DEMO_SMALL_CAPTIONS

    diff = resolved_diff(
        load(osp.join(CONFIG_DIR, 'fgclip_demo.py')), load(DEMO_SMALL)
    )
    for key in diff:
        assert key.startswith(
            ('model.scorer.class_prompts', 'scorer_prompts', 'data_root')
        ) or key.endswith(('ann_file', 'frame_counts_file', 'video')), key
    prompts = load(DEMO_SMALL).model.scorer.class_prompts
    for cls, levels in DEMO_SMALL_CAPTIONS.items():
        assert sorted(prompts[cls]) == sorted(
            levels['global'] + levels['region']
        )


@pytest.mark.parametrize(
    'name, fields',
    [
        (
            'fgclip_demo-small_global-only.py',
            {
                'model.loss.global_weight': 1.0,
                'model.loss.region_weight': 0.0,
                'model.scorer.alpha': 1.0,
            },
        ),
        (
            'fgclip_demo-small_region-only.py',
            {
                'model.loss.global_weight': 0.0,
                'model.loss.region_weight': 1.0,
                'model.scorer.alpha': 0.0,
            },
        ),
    ],
)
def test_demo_small_ablation_a_changes_only_its_fields(name, fields):
    path = osp.join(CONFIG_DIR, 'ablations', name)
    assert local_bases(path) == [DEMO_SMALL]
    diff = resolved_diff(load(DEMO_SMALL), load(path))
    assert {k: new for k, (_, new) in diff.items()} == fields
