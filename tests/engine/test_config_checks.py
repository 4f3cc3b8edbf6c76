"""check_config names every config mistake by its key path or file before
anything is built (issue 13 part 6): unknown keys, wrong types, unknown
types, class-name typos in metainfo, missing data files and folders."""

import glob
import os
import os.path as osp

import pytest
from mmengine.config import Config

from fgclip_mm.engine.config_checks import (
    ConfigError,
    check_config,
    find_config_problems,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = 'configs/fgclip_demo.py'
MIL = 'configs/baselines/mil_tiny-clip-feat_30e_demo.py'
# where the demo config's training dataset sits (inside a RepeatDataset)
DATASET = {
    DEMO: 'train_dataloader.dataset.dataset',
    MIL: 'train_dataloader.dataset',
}


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """Empty stand-ins for every file and folder the two configs name."""
    for name in (
        'train.json',
        'test_annotations.txt',
        'test_frame_counts.txt',
        'clip_features/index.json',
    ):
        os.makedirs(osp.dirname(tmp_path / name), exist_ok=True)
        (tmp_path / name).write_text('')
    os.makedirs(tmp_path / 'videos' / 'test')
    monkeypatch.setenv('FGCLIP_DEMO_ROOT', str(tmp_path))
    return tmp_path


def load(config: str, **options) -> Config:
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.merge_from_dict(options)
    return cfg


@pytest.mark.parametrize('config', [DEMO, MIL])
def test_the_shipped_configs_pass(config, data_root):
    check_config(load(config), mode='train')
    check_config(load(config), mode='test')


@pytest.mark.slow  # parses ~50 configs (about 10 s)
def test_every_shipped_config_has_valid_keys_types_and_classes():
    configs = [
        f
        for f in glob.glob(
            osp.join(REPO, 'configs', '**', '*.py'), recursive=True
        )
        if '_base_' not in f
    ]
    assert len(configs) > 30
    for path in configs:
        assert (
            find_config_problems(Config.fromfile(path), check_paths=False)
            == []
        ), path


@pytest.mark.parametrize(
    'config, key, value, expected',
    [
        (
            DEMO,
            'model.region_head.roi_sise',
            7,
            r'model\.region_head\.roi_sise: unknown argument of RoIRegionHead;'
            r' it takes .*output_size',
        ),
        (
            MIL,
            'model.head.hiden_dims',
            (32,),
            r'model\.head\.hiden_dims: unknown argument of MILHead \(did you '
            r"mean 'hidden_dims'\?\)",
        ),
        (
            DEMO,
            'model.temporal_adapter.num_layers',
            '2',
            r'model\.temporal_adapter\.num_layers: TemporalAdapter expects '
            r"int, got str '2'",
        ),
        (
            MIL,
            'model.head.dropout',
            'high',
            r"model\.head\.dropout: MILHead expects float, got str 'high'",
        ),
        (
            DEMO,
            'train_dataloader.batch_size',
            '8',
            r'train_dataloader\.batch_size: DataLoader expects int, got str',
        ),
        (
            MIL,
            'train_dataloader.num_worker',
            2,
            r'train_dataloader\.num_worker: unknown argument of DataLoader '
            r"\(did you mean 'num_workers'\?\)",
        ),
        (
            DEMO,
            'model.loss.type',
            'DualContrastivLoss',
            r"model\.loss\.type: unknown model type 'DualContrastivLoss' "
            r"\(did you mean 'DualContrastiveLoss'\?\)",
        ),
    ],
)
def test_a_wrong_key_or_type_is_named_by_its_path(
    config, key, value, expected, data_root
):
    with pytest.raises(ConfigError, match=expected):
        check_config(load(config, **{key: value}))


@pytest.mark.parametrize('config', [DEMO, MIL])
def test_a_class_name_typo_in_metainfo(config, data_root):
    cfg = load(config)
    dataset = f'{DATASET[config]}.metainfo.classes'
    cfg.merge_from_dict({dataset: ('Normal', 'Explosion', 'Fightng')})
    with pytest.raises(
        ConfigError,
        match=rf"{dataset}\[2\]: unknown class 'Fightng' \(did you mean "
        r"'Fighting'\?\)".replace('.', r'\.'),
    ):
        check_config(cfg)


def test_own_class_names_and_case_variants_are_accepted(data_root):
    cfg = load(DEMO)
    cfg.merge_from_dict(
        {
            f'{DATASET[DEMO]}.metainfo.classes': (
                'normal',
                'Trespassing',
                'FIGHTING',
            )
        }
    )
    check_config(cfg)


@pytest.mark.parametrize('config', [DEMO, MIL])
def test_a_missing_annotation_file_is_named(config, data_root):
    missing = str(data_root / 'nope.json')
    cfg = load(config, **{f'{DATASET[config]}.ann_file': missing})
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    assert err.value.problems == [
        f'{DATASET[config]}.ann_file: no such file: {missing}'
    ]


def test_a_missing_data_folder_is_named(data_root):
    missing = str(data_root / 'no_videos')
    cfg = load(DEMO, **{f'{DATASET[DEMO]}.data_prefix.video': missing})
    with pytest.raises(
        ConfigError, match=rf'data_prefix\.video: no such folder: {missing}'
    ):
        check_config(cfg)


def test_test_mode_checks_the_test_files_only(data_root):
    os.remove(data_root / 'train.json')
    check_config(load(DEMO), mode='test')
    os.remove(data_root / 'test_frame_counts.txt')
    with pytest.raises(
        ConfigError, match=r'test_dataloader\.dataset\.frame_counts_file'
    ):
        check_config(load(DEMO), mode='test')
    with pytest.raises(ConfigError, match=r'load_from: no such file: x\.pth'):
        check_config(load(DEMO, load_from='x.pth'), mode='test')


def test_every_mistake_is_listed_at_once(data_root):
    cfg = load(
        DEMO,
        **{
            'model.region_head.roi_sise': 7,
            'model.region_head.output_size': 'big',
            f'{DATASET[DEMO]}.ann_file': 'missing.json',
        },
    )
    with pytest.raises(ConfigError, match='3 problem') as err:
        check_config(cfg)
    assert isinstance(err.value, ValueError)
    assert [p.split(':')[0] for p in err.value.problems] == [
        'model.region_head.roi_sise',
        'model.region_head.output_size',
        f'{DATASET[DEMO]}.ann_file',
    ]
