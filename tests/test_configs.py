"""Every shipped config parses, builds its model, and wires real annotations."""
import glob
import os
import os.path as osp

import pytest
from mmengine.config import Config
from mmaction.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA = osp.join(REPO, 'tests', 'data', 'datasets')
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_parses_and_imports_the_plugin(path):
    cfg = Config.fromfile(path)
    assert cfg.custom_imports['imports'] == ['fgclip_mm']
    assert cfg.default_scope == 'mmaction'
    assert cfg.model.type == 'FGCLIPRecognizer'


def test_demo_ablations_build_distinct_models():
    demo = Config.fromfile(osp.join(REPO, 'configs/fgclip_demo.py'))
    glob_only = Config.fromfile(
        osp.join(REPO, 'configs/ablations/fgclip_demo_global-only.py'))
    region_only = Config.fromfile(
        osp.join(REPO, 'configs/ablations/fgclip_demo_region-only.py'))
    m = MODELS.build(glob_only.model)
    assert m.loss_module.region_weight == 0 and m.scorer.alpha == 1.0
    m = MODELS.build(region_only.model)
    assert m.loss_module.global_weight == 0 and m.scorer.alpha == 0.0
    assert demo.model.loss.region_weight == 0.5


def test_demo_prompts_are_the_demo_captions():
    from fgclip_mm.datasets.demo_data import DEMO_CAPTIONS, DEMO_CLASSES
    cfg = Config.fromfile(osp.join(REPO, 'configs/fgclip_demo.py'))
    prompts = cfg.model.scorer.class_prompts
    assert tuple(prompts) == DEMO_CLASSES == tuple(cfg.classes)
    for name, levels in DEMO_CAPTIONS.items():
        assert sorted(prompts[name]) == sorted(levels['global'] + levels['region'])


def test_ucf_config_excludes_every_official_test_video_from_training():
    cfg = Config.fromfile(osp.join(REPO, 'configs/fgclip_ucf.py'))
    train = cfg.train_dataloader.dataset
    train.update(
        ann_file=osp.join(DATA, 'ucf_fgclip_train_with_timestamps_en.json.gz'),
        exclude_file=osp.join(DATA, 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt'),
        check_files=False, lazy_init=False)
    dataset = DATASETS.build(train)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    names = {osp.splitext(osp.basename(d['filename']))[0] for d in infos}
    with open(osp.join(DATA, 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt')) as f:
        test_names = {osp.splitext(line.split()[0])[0] for line in f if line.strip()}
    assert len(dataset) == 1245
    assert not names & test_names

    test = cfg.test_dataloader.dataset
    test.update(ann_file=osp.join(DATA, 'test_annotations_with_frame_counts.txt'),
                check_files=False)
    test_set = DATASETS.build(test)
    videos = {}
    for i in range(len(test_set)):
        info = test_set.get_data_info(i)
        videos[info['video_id']] = info['total_frames']
    assert len(videos) == 290 and sum(videos.values()) == 1111808
