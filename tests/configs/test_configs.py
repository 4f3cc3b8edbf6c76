"""The shipped configs: they parse, stay shallow, keep prompts with their data,
ablations change one field of fgclip_demo.py, and the UCF-Crime training set
never contains an official test video."""

import copy
import functools
import glob
import gzip
import os
import os.path as osp
import shutil

import pytest
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(REPO, 'configs')
DATA = osp.join(REPO, 'tests', 'data')
ALL_CONFIGS = sorted(
    glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
)
CONFIGS = [p for p in ALL_CONFIGS if '_base_' not in p]
DEMO = osp.join(CONFIG_DIR, 'fgclip_demo.py')

# Each ablation: the resolved fields that differ from fgclip_demo.py, as
# flattened paths (see `flatten`), with their values.
TRAIN_STEP = 'train_dataloader.dataset.dataset.pipeline'
ABLATIONS = {
    'fgclip_demo_bbox-drop.py': {f'{TRAIN_STEP}[3].strategy': 'drop'},
    'fgclip_demo_bbox-pseudo.py': {
        f'{TRAIN_STEP}[3].type': 'GeneratePseudoRegionBoxes',
        f'{TRAIN_STEP}[3].pseudo_file': 'data/demo/pseudo_boxes.json',
    },
    'fgclip_demo_regions-1.py': {f'{TRAIN_STEP}[3].max_regions': 1},
    'fgclip_demo_sampling-full-video.py': {
        f'{TRAIN_STEP}[1].strategy': 'full_video',
        f'{TRAIN_STEP}[1].clip_len': 96,
        'model.temporal_adapter.max_frames': 96,
    },
    'fgclip_demo_sampling-random-clip.py': {
        f'{TRAIN_STEP}[1].strategy': 'random_clip'
    },
    'fgclip_demo_global-only.py': {
        'model.loss.global_weight': 1.0,
        'model.loss.region_weight': 0.0,
        'model.scorer.alpha': 1.0,
    },
    'fgclip_demo_region-only.py': {
        'model.loss.global_weight': 0.0,
        'model.loss.region_weight': 1.0,
        'model.scorer.alpha': 0.0,
    },
    'fgclip_demo_lambda-0.1.py': {'model.loss.region_weight': 0.1},
    'fgclip_demo_lambda-0.3.py': {'model.loss.region_weight': 0.3},
    'fgclip_demo_lambda-1.0.py': {'model.loss.region_weight': 1.0},
    'fgclip_demo_no-temporal.py': {'model.temporal_adapter.num_layers': 0},
}
# The transform each pipeline ablation edits, by its pipeline index.
STEP_TYPES = {
    1: ('SampleAnnotatedFrames',),
    3: ('GenerateRegionBoxes', 'GeneratePseudoRegionBoxes'),
}
ABSENT = '<absent>'


def rel(path: str) -> str:
    return osp.relpath(path, REPO)


@functools.lru_cache(maxsize=None)
def _parse(path: str) -> Config:
    return Config.fromfile(path)


def load(path: str) -> Config:
    """A parsed config (parsed once per session; a copy each call)."""
    return copy.deepcopy(_parse(path))


def flatten(value, prefix: str = '') -> dict:
    """``{'a.b[0].c': leaf}`` for every leaf of nested dicts and lists."""
    if isinstance(value, dict):
        items = [
            (f'{prefix}.{k}' if prefix else str(k), v)
            for k, v in value.items()
        ]
    elif isinstance(value, (list, tuple)):
        items = [(f'{prefix}[{i}]', v) for i, v in enumerate(value)]
    else:
        return {prefix: value}
    out = {}
    for key, item in items:
        out.update(flatten(item, key))
    if not items:
        out[prefix] = value
    return out


def resolved_diff(a: Config, b: Config) -> dict:
    """``{path: (value in a, value in b)}`` where two resolved configs
    differ."""
    fa, fb = flatten(a.to_dict()), flatten(b.to_dict())
    return {
        k: (fa.get(k, ABSENT), fb.get(k, ABSENT))
        for k in sorted(fa.keys() | fb.keys())
        if fa.get(k, ABSENT) != fb.get(k, ABSENT)
    }


def local_bases(path: str) -> list:
    """The ``_base_`` files of a config inside this repository."""
    bases = Config._get_base_files(path)
    return [
        osp.normpath(osp.join(osp.dirname(path), b))
        for b in bases
        if '::' not in b
    ]


def depth(path: str) -> int:
    """Levels of inheritance inside configs/ (a file without bases: 1).

    MMAction2's own runtime (``mmaction::``) is a library dependency, as an
    import would be, and is not counted.
    """
    return 1 + max((depth(b) for b in local_bases(path)), default=0)


@pytest.mark.parametrize('path', ALL_CONFIGS, ids=rel)
def test_every_config_parses_and_is_at_most_three_levels_deep(path):
    cfg = load(path)
    assert cfg.filename == path
    assert depth(path) <= 3, f'{rel(path)}: {depth(path)} levels'


@pytest.mark.parametrize('path', CONFIGS, ids=rel)
def test_config_imports_the_plugin(path):
    cfg = load(path)
    assert cfg.custom_imports['imports'] == ['fgclip_mm']
    assert cfg.default_scope == 'mmaction'


FGCLIP_CONFIGS = [
    p
    for p in CONFIGS
    if _parse(p).model.get('scorer', {}).get('type') == 'PromptAnomalyScorer'
]


def test_the_fgclip_configs_are_found():
    names = {rel(p) for p in FGCLIP_CONFIGS}
    assert {
        'configs/fgclip_ucf.py',
        'configs/fgclip_xd.py',
        'configs/fgclip_sht.py',
        'configs/fgclip_demo.py',
        'configs/zeroshot-clip_vit-b16_ucf.py',
    } <= names
    assert len(names) >= 5 + len(ABLATIONS)


@pytest.mark.parametrize('path', FGCLIP_CONFIGS, ids=rel)
def test_fgclip_config_has_one_prompt_set_per_dataset_class(path):
    cfg = load(path)
    assert cfg.model.type == 'FGCLIPRecognizer'
    scorer = cfg.model.scorer
    prompts = scorer.get('class_prompts') or scorer.get('classes')
    classes = cfg.test_dataloader.dataset.metainfo.classes
    # one prompt set per dataset class, in label order, normal first
    assert len(prompts) == len(classes)
    first = list(prompts)[0].lower()
    assert first.startswith('normal'), (rel(path), first)


def test_the_model_bases_carry_no_prompts():
    for name in ('fgclip_vit-b16.py', 'fgclip_tiny.py'):
        scorer = load(
            osp.join(CONFIG_DIR, '_base_', 'models', name)
        ).model.scorer
        assert 'classes' not in scorer and 'class_prompts' not in scorer


def test_each_benchmark_config_scores_with_its_own_classes():
    prompts = {}
    for name in ('fgclip_ucf.py', 'fgclip_xd.py', 'fgclip_sht.py'):
        scorer = load(osp.join(CONFIG_DIR, name)).model.scorer
        prompts[name] = scorer.get('classes') or list(scorer.class_prompts)
    assert 'road accident' in prompts['fgclip_ucf.py']
    assert 'riot' in prompts['fgclip_xd.py']
    assert 'riot' not in prompts['fgclip_ucf.py']
    assert prompts['fgclip_sht.py'] == ['Normal', 'Anomaly']


def test_video_level_datasets_share_a_base_and_sht_does_not_inherit_xd():
    datasets = osp.join(CONFIG_DIR, '_base_', 'datasets')
    shared = osp.join(datasets, 'video_level_labels.py')
    for name in ('xd_violence.py', 'shanghaitech.py'):
        assert local_bases(osp.join(datasets, name)) == [shared]
    sht = load(osp.join(CONFIG_DIR, 'fgclip_sht.py'))
    xd = load(osp.join(CONFIG_DIR, 'fgclip_xd.py'))
    for cfg, root in ((sht, 'data/sht_weak'), (xd, 'data/xd')):
        for loader in (cfg.train_dataloader, cfg.test_dataloader):
            assert loader.dataset.ann_file.startswith(root + '/')
    assert sht.train_dataloader.dataset.label_source == 'field'
    assert (
        sht.train_dataloader.dataset.pipeline
        == xd.train_dataloader.dataset.pipeline
    )


@pytest.mark.parametrize('name', sorted(ABLATIONS))
def test_ablation_differs_from_the_demo_only_in_its_field(name):
    path = osp.join(CONFIG_DIR, 'ablations', name)
    assert local_bases(path) == [DEMO]
    diff = resolved_diff(load(DEMO), load(path))
    assert {k: new for k, (_, new) in diff.items()} == ABLATIONS[name]
    for key in ABLATIONS[name]:
        if key.startswith(TRAIN_STEP):
            index = int(key[len(TRAIN_STEP) + 1 :].split(']')[0])
            step = load(path).train_dataloader.dataset.dataset
            assert step.pipeline[index].type in STEP_TYPES[index]


def test_every_demo_ablation_is_listed():
    # the UCF-Crime and demo-small ones: tests/configs/test_ablation_configs.py
    files = {
        osp.basename(p)
        for p in CONFIGS
        if osp.sep + 'ablations' + osp.sep in p
        and osp.basename(p).startswith('fgclip_demo_')
    }
    assert files == set(ABLATIONS)


def test_resolved_diff_sees_a_pipeline_edit():
    demo = load(DEMO)
    edited = load(DEMO)
    edited.train_dataloader.dataset.dataset.pipeline[4].flip_ratio = 0.0
    assert resolved_diff(demo, edited) == {
        f'{TRAIN_STEP}[4].flip_ratio': (0.5, 0.0)
    }


def test_demo_ablations_build_distinct_models():
    glob_only = load(
        osp.join(CONFIG_DIR, 'ablations/fgclip_demo_global-only.py')
    )
    region_only = load(
        osp.join(CONFIG_DIR, 'ablations/fgclip_demo_region-only.py')
    )
    m = MODELS.build(glob_only.model)
    assert m.loss_module.region_weight == 0 and m.scorer.alpha == 1.0
    m = MODELS.build(region_only.model)
    assert m.loss_module.global_weight == 0 and m.scorer.alpha == 0.0
    assert load(DEMO).model.loss.region_weight == 0.5


def test_demo_prompts_are_the_demo_captions():
    from fgclip_mm.datasets.demo_data import DEMO_CAPTIONS, DEMO_CLASSES

    cfg = load(DEMO)
    prompts = cfg.model.scorer.class_prompts
    assert tuple(prompts) == DEMO_CLASSES == tuple(cfg.classes)
    for name, levels in DEMO_CAPTIONS.items():
        assert sorted(prompts[name]) == sorted(
            levels['global'] + levels['region']
        )


@pytest.fixture
def ucf_root(tmp_path, monkeypatch):
    """The UCF-Crime fixtures under the file names the config expects."""
    with (
        gzip.open(
            osp.join(
                DATA,
                'fgclip_vad',
                'ucf_fgclip_train_with_timestamps_en.json.gz',
            )
        ) as src,
        open(
            tmp_path / 'ucf_fgclip_train_with_timestamps_en.json', 'wb'
        ) as dst,
    ):
        shutil.copyfileobj(src, dst)
    for name in (
        'Temporal_Anomaly_Annotation_for_Testing_Videos.txt',
        'test_annotations_with_frame_counts.txt',
    ):
        os.symlink(osp.join(DATA, 'ucf_crime', name), tmp_path / name)
    monkeypatch.setenv('FGCLIP_UCF_ROOT', str(tmp_path))
    return tmp_path


def official_test_videos() -> set:
    path = osp.join(
        DATA, 'ucf_crime', 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt'
    )
    with open(path) as f:
        return {osp.splitext(line.split()[0])[0] for line in f if line.strip()}


def test_ucf_training_set_as_shipped_excludes_every_official_test_video(
    ucf_root,
):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'fgclip_ucf.py'))
    train = cfg.train_dataloader.dataset
    assert train.ann_file.startswith(str(ucf_root))
    # the videos are not in the fixtures; everything else as shipped
    dataset = DATASETS.build(dict(train, check_files=False))
    names = {dataset.get_data_info(i)['video_id'] for i in range(len(dataset))}
    test_names = official_test_videos()
    # the annotation JSON itself contains test videos: the exclusion matters
    with open(train.ann_file) as f:
        raw = f.read()
    assert sum(f'{name}.mp4' in raw for name in test_names) > 0
    assert not names & test_names
    assert len(dataset) == 1245


def test_ucf_test_set_as_shipped_covers_the_official_290_videos(ucf_root):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'fgclip_ucf.py'))
    test_set = DATASETS.build(
        dict(cfg.test_dataloader.dataset, check_files=False)
    )
    videos = {}
    for i in range(len(test_set)):
        info = test_set.get_data_info(i)
        videos[info['video_id']] = info['total_frames']
    assert videos.keys() == official_test_videos()
    assert sum(videos.values()) == 1111808
