"""SnippetFeatureDataset on generated feature files laid out exactly as the
public lists name them (excerpts in tests/data/feature_lists)."""

import json
import os
import os.path as osp

import numpy as np
import pytest
import torch

from fgclip_mm.annotations import (
    SHANGHAITECH_CLASSES,
    UCF_CRIME_CLASSES,
    XD_VIOLENCE_CLASSES,
    AnnotationError,
)
from fgclip_mm.datasets import SnippetFeatureDataset
from fgclip_mm.datasets.feature_lists import (
    feature_video_id,
    read_path_list,
    read_vadclip_csv,
)

DATA = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data')
LISTS = osp.join(DATA, 'feature_lists')
SHT = osp.join(DATA, 'shanghaitech')
UCF_ANN = osp.join(
    DATA, 'ucf_crime', 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt'
)
TEST_PIPE = [dict(type='LoadSnippetFeatures'), dict(type='PackSnippetInputs')]


def basename(path):
    return path.replace('\\', '/').rsplit('/', 1)[-1]


def write_files(records, root, shape_of, keep_dirs=0, base=3):
    """One array per listed file under ``root`` (file name plus
    ``keep_dirs`` parent folders); returns video id -> T."""
    lengths = {}
    for i, rec in enumerate(records):
        num_t = base + i % 5
        lengths[rec['video_id']] = num_t
        for path, crop in zip(rec['paths'], rec['crop_ids']):
            parts = path.replace('\\', '/').split('/')[-(keep_dirs + 1) :]
            out = osp.join(root, *parts)
            os.makedirs(osp.dirname(out), exist_ok=True)
            arr = np.full((num_t,) + shape_of, i + 0.5, dtype=np.float32)
            arr[:, ...] += 0 if crop is None else crop * 100
            np.save(out, arr)
    return lengths


def build(ann_file, pipeline=TEST_PIPE, **kwargs):
    return SnippetFeatureDataset(
        ann_file=ann_file, pipeline=pipeline, **kwargs
    )


@pytest.fixture
def ucf_train(tmp_path):
    list_file = osp.join(LISTS, 'ucf-i3d.list')
    lengths = write_files(read_path_list(list_file), str(tmp_path), (10, 2048))
    return list_file, str(tmp_path), lengths


def test_rtfm_ucf_train_list(ucf_train):
    list_file, root, lengths = ucf_train
    ds = build(list_file, data_prefix=dict(feature=root))
    assert len(ds) == 9
    expected = ['Abuse'] * 3 + ['Vandalism'] * 2 + ['Normal'] * 4
    for i, cls in enumerate(expected):
        out = ds[i]
        sample = out['data_samples']
        assert sample.class_name == cls
        assert int(sample.gt_label) == UCF_CRIME_CLASSES.index(cls)
        assert sample.is_anomaly == (cls != 'Normal')
        assert out['inputs'].shape == (lengths[sample.video_id], 10, 2048)
        assert out['inputs'].dtype == torch.float32
        assert sample.num_snippets == lengths[sample.video_id]
        assert 'frame_inds' not in sample
    # the RTFM convention holds on the excerpt: anomalous first, normal last
    assert ds.summary['normal_last'] and ds.summary['num_normal'] == 4


def test_path_map_of_windows_prefix(ucf_train):
    list_file, root, _ = ucf_train
    ds = build(list_file, path_map={'G:\\UCF_Train_ten_crop_i3d\\': root})
    assert ds.get_data_info(0)['feature_paths'] == [
        osp.join(root, 'Abuse001_x264_i3d.npy')
    ]


def test_missing_file_names_the_list_line(ucf_train):
    list_file, root, _ = ucf_train
    os.remove(osp.join(root, 'Vandalism049_x264_i3d.npy'))
    with pytest.raises(
        FileNotFoundError,
        match=r'ucf-i3d\.list:4: feature file not found: .*'
        r'Vandalism049_x264_i3d\.npy',
    ):
        build(list_file, data_prefix=dict(feature=root))


def test_segments_train_pipeline(ucf_train):
    list_file, root, _ = ucf_train
    ds = build(
        list_file,
        data_prefix=dict(feature=root),
        pipeline=[
            dict(type='LoadSnippetFeatures'),
            dict(type='SampleSnippetSegments', num_segments=32),
            dict(type='PackSnippetInputs'),
        ],
    )
    out = ds[0]
    assert out['inputs'].shape == (32, 10, 2048)
    assert out['data_samples'].num_snippets == 32


def test_rtfm_ucf_test_list_with_intervals(tmp_path):
    list_file = osp.join(LISTS, 'ucf-i3d-test.list')
    lengths = write_files(
        read_path_list(list_file), str(tmp_path), (10, 8), base=12
    )
    ds = build(
        list_file,
        data_prefix=dict(feature=str(tmp_path)),
        test_ann_file=UCF_ANN,
        test_mode=True,
    )
    assert [ds.get_data_info(i)['class_name'] for i in range(len(ds))] == [
        'Abuse',
        'Abuse',
        'Arrest',
    ] + ['Normal'] * 5
    out = ds[0]
    sample = out['data_samples']
    num_t = lengths['Abuse028_x264']
    assert sample.total_frames == num_t * 16
    assert torch.equal(sample.frame_inds, torch.arange(num_t * 16))
    # Abuse028_x264 Abuse 165 240 (12 snippets: 192 frames): clipped
    assert sample.anomaly_intervals.tolist() == [[165, 192]]
    # Arrest001_x264 1185 1485 lies past its 14 snippets: no event left
    assert ds[2]['data_samples'].anomaly_intervals.shape == (0, 2)
    normal = ds[len(ds) - 1]['data_samples']
    assert normal.anomaly_intervals.shape == (0, 2)


def test_vadclip_train_csv_groups_crops(tmp_path):
    list_file = osp.join(LISTS, 'ucf_CLIP_rgb.csv')
    recs = read_vadclip_csv(list_file)
    lengths = write_files(recs, str(tmp_path), (512,), keep_dirs=1)
    assert osp.isfile(
        tmp_path
        / 'Training_Normal_Videos_Anomaly'
        / 'Normal_Videos950_x264__9.npy'
    )
    ds = build(list_file, data_prefix=dict(feature=str(tmp_path)), keep_dirs=1)
    assert len(ds) == 2
    out = ds[1]
    inputs = out['inputs']
    assert inputs.shape == (lengths['Normal_Videos950_x264'], 10, 512)
    # crop k holds 100 * k + 1.5 (video 1): crops stacked in suffix order
    assert torch.allclose(inputs[0, :, 0], torch.arange(10) * 100 + 1.5)
    assert out['data_samples'].class_name == 'Normal'
    assert ds[0]['data_samples'].class_name == 'Abuse'
    split = build(
        list_file,
        data_prefix=dict(feature=str(tmp_path)),
        keep_dirs=1,
        split_crops=True,
    )
    assert len(split) == 20
    assert split[3]['inputs'].shape[1] == 1
    assert split.get_data_info(3)['sample_id'] == 'Abuse001_x264__3'


def test_vadclip_test_csv_single_crop(tmp_path):
    list_file = osp.join(LISTS, 'ucf_CLIP_rgbtest.csv')
    lengths = write_files(
        read_vadclip_csv(list_file), str(tmp_path), (512,), keep_dirs=1
    )
    ds = build(
        list_file,
        data_prefix=dict(feature=str(tmp_path)),
        keep_dirs=1,
        test_ann_file=UCF_ANN,
        test_mode=True,
    )
    out = ds[0]
    assert out['inputs'].shape == (lengths['Abuse028_x264'], 1, 512)
    assert out['data_samples'].total_frames == lengths['Abuse028_x264'] * 16


def test_label_column_must_agree_with_name(tmp_path):
    f = tmp_path / 'l.csv'
    np.save(tmp_path / 'Abuse001_x264__0.npy', np.zeros((2, 4), np.float32))
    f.write_text('path,label\n/x/Abuse001_x264__0.npy,Arrest\n')
    with pytest.raises(
        AnnotationError,
        match=r'l\.csv:2: video .Abuse001_x264. is labelled '
        r".Arrest. but its name says 'Abuse'",
    ):
        build(str(f), data_prefix=dict(feature=str(tmp_path)))


def xd_list(tmp_path):
    """XD-Violence's RGB list layout: one line per crop ``__0``..``__4``."""
    videos = [
        'Bad.Boys.1995__#01-11-55_01-12-40_label_G-B2-B6',
        'v=38GQ9L2meyE__#1_label_B1-0-0',
        'A.Beautiful.Mind.2001__#00-01-45_00-02-50_label_A',
    ]
    lines = [
        f'/home/xd/i3d-features/RGB/{v}__{k}.npy'
        for v in videos
        for k in range(5)
    ]
    list_file = tmp_path / 'rgb.list'
    list_file.write_text('\n'.join(lines) + '\n')
    return str(list_file), videos


def test_xd_violence_five_crops(tmp_path):
    list_file, videos = xd_list(tmp_path)
    feat = tmp_path / 'feat'
    lengths = write_files(read_path_list(list_file), str(feat), (16,))
    ds = build(
        list_file,
        data_prefix=dict(feature=str(feat)),
        metainfo=dict(classes=XD_VIOLENCE_CLASSES),
    )
    assert [d['class_name'] for d in ds.load_data_list()] == [
        'Explosion',
        'Fighting',
        'Normal',
    ]
    for i, video in enumerate(videos):
        assert ds[i]['inputs'].shape == (lengths[video], 5, 16)
    crop_mean = build(
        list_file,
        data_prefix=dict(feature=str(feat)),
        metainfo=dict(classes=XD_VIOLENCE_CLASSES),
        pipeline=[
            dict(type='LoadSnippetFeatures', crop_reduce='mean'),
            dict(type='PackSnippetInputs'),
        ],
    )
    assert torch.allclose(
        crop_mean[0]['inputs'][:, 0], ds[0]['inputs'].mean(dim=1)
    )


def sht_files(tmp_path, name):
    list_file = osp.join(LISTS, name)
    write_files(read_path_list(list_file), str(tmp_path), (10, 8))
    return list_file


def test_shanghaitech_needs_label_file(tmp_path):
    list_file = sht_files(tmp_path, 'shanghai-i3d-train-10crop.list')
    kwargs = dict(
        data_prefix=dict(feature=str(tmp_path)),
        metainfo=dict(classes=SHANGHAITECH_CLASSES),
    )
    with pytest.raises(
        AnnotationError,
        match=r'10crop\.list:1: the name of video .01_0014. '
        'names no class',
    ):
        build(list_file, **kwargs)
    ds = build(
        list_file, label_file=osp.join(SHT, 'SH_Train_new.txt'), **kwargs
    )
    # SH_Train_new.txt: 01_0014/01_0016/01_0026/12_0175 anomalous (1),
    # 01_002/01_003 normal (0); RTFM's list has its 63 anomalous first
    assert [d['label'] for d in ds.load_data_list()] == [1, 1, 1, 1, 0, 0]
    assert ds.summary['normal_last']


def test_shanghaitech_label_file_missing_video(tmp_path):
    list_file = sht_files(tmp_path, 'shanghai-i3d-test-10crop.list')
    with pytest.raises(
        AnnotationError,
        match=r'10crop\.list:1: video .01_0015. is not in '
        'label_file',
    ):
        build(
            list_file,
            data_prefix=dict(feature=str(tmp_path)),
            metainfo=dict(classes=SHANGHAITECH_CLASSES),
            label_file=osp.join(SHT, 'SH_Train_new.txt'),
        )


def test_shanghaitech_extend_last_interval(tmp_path):
    list_file = sht_files(tmp_path, 'shanghai-i3d-test-10crop.list')
    ann = tmp_path / 'test_annotations.txt'
    # 01_0015 has T = 3 snippets (48 frames) in the generated files; its
    # event runs to its last real frame (40)
    ann.write_text(
        '01_0015 Anomaly 10 40 40\n01_0025 Anomaly 5 9 50\n'
        '01_0027 Anomaly 0 2 40\n12_0174 Anomaly 1 3 40\n'
    )
    common = dict(
        data_prefix=dict(feature=str(tmp_path)),
        metainfo=dict(classes=SHANGHAITECH_CLASSES),
        label_file=osp.join(SHT, 'SH_Test_NEW.txt'),
        test_ann_file=str(ann),
        test_mode=True,
    )
    plain = build(list_file, **common)[0]['data_samples']
    assert plain.total_frames == 48
    assert plain.anomaly_intervals.tolist() == [[10, 40]]
    padded = build(list_file, extend_last_interval=True, **common)[0][
        'data_samples'
    ]
    assert padded.anomaly_intervals.tolist() == [[10, 48]]


def test_cache_index(tmp_path):
    os.makedirs(tmp_path / 'test')
    np.save(
        tmp_path / 'test' / 'Explosion_test_000.npy',
        np.ones((3, 1, 8), np.float16),
    )
    np.save(
        tmp_path / 'test' / 'Normal_test_000.npy',
        np.zeros((2, 1, 8), np.float16),
    )
    index = dict(
        snippet_length=4,
        splits=dict(
            test={
                'Explosion_test_000': dict(
                    path='test/Explosion_test_000.npy',
                    class_name='Explosion',
                    num_snippets=3,
                    total_frames=13,
                    anomaly_intervals=[[4, 11]],
                ),
                'Normal_test_000': dict(
                    path='test/Normal_test_000.npy',
                    class_name='Normal',
                    num_snippets=2,
                    total_frames=9,
                    anomaly_intervals=[],
                ),
            }
        ),
    )
    (tmp_path / 'index.json').write_text(json.dumps(index))
    ds = build(
        str(tmp_path / 'index.json'),
        test_mode=True,
        metainfo=dict(classes=('Normal', 'Explosion', 'Fighting')),
    )
    sample = ds[0]['data_samples']
    assert (sample.snippet_length, sample.total_frames) == (4, 12)
    assert sample.anomaly_intervals.tolist() == [[4, 11]]
    assert ds[0]['inputs'].dtype == torch.float32
    assert int(ds[1]['data_samples'].gt_label) == 0
    with pytest.raises(AnnotationError, match="no split 'train'"):
        build(str(tmp_path / 'index.json'))


def test_anomalous_test_video_without_intervals_fails(tmp_path):
    list_file = osp.join(LISTS, 'ucf-i3d-test.list')
    write_files(read_path_list(list_file), str(tmp_path), (10, 8))
    with pytest.raises(
        AnnotationError,
        match=r'ucf-i3d-test\.list:1: anomalous test video '
        '.Abuse028_x264. has no anomaly intervals',
    ):
        build(
            list_file, data_prefix=dict(feature=str(tmp_path)), test_mode=True
        )


def test_crop_files_of_different_lengths_fail(tmp_path):
    np.save(tmp_path / 'Abuse001_x264__0.npy', np.zeros((3, 4), np.float32))
    np.save(tmp_path / 'Abuse001_x264__1.npy', np.zeros((4, 4), np.float32))
    f = tmp_path / 'l.list'
    f.write_text('/a/Abuse001_x264__0.npy\n/a/Abuse001_x264__1.npy\n')
    ds = build(str(f), data_prefix=dict(feature=str(tmp_path)))
    with pytest.raises(ValueError, match=r'disagree on \(T, D\)'):
        ds[0]
    assert feature_video_id(str(f)) == ('l.list', None)


@pytest.mark.parametrize(
    'name', ['demo', 'ucf_crime', 'xd_violence', 'shanghaitech']
)
def test_feature_configs(name):
    from mmaction.registry import TRANSFORMS
    from mmengine.config import Config

    cfg = Config.fromfile(
        osp.join(
            osp.dirname(osp.dirname(DATA)),
            'configs',
            '_base_',
            'datasets',
            f'{name}_features.py',
        )
    )
    for loader, test_mode in (
        (cfg.train_dataloader, False),
        (cfg.test_dataloader, True),
    ):
        assert loader.dataset.type == 'SnippetFeatureDataset'
        assert loader.dataset.get('test_mode', False) == test_mode
        for step in loader.dataset.pipeline:
            assert TRANSFORMS.get(step['type']) is not None, step
    assert cfg.test_dataloader.batch_size == 1


def test_cache_paths_ignore_data_root(tmp_path):
    os.makedirs(tmp_path / 'feat' / 'train')
    np.save(
        tmp_path / 'feat' / 'train' / 'Fighting_x.npy',
        np.ones((2, 1, 4), np.float16),
    )
    (tmp_path / 'feat' / 'index.json').write_text(
        json.dumps(
            dict(
                snippet_length=16,
                splits=dict(
                    train={
                        'Fighting_x': dict(
                            path='train/Fighting_x.npy', class_name='Fighting'
                        )
                    }
                ),
            )
        )
    )
    ds = build(
        'feat/index.json',
        data_root=str(tmp_path),
        metainfo=dict(classes=('Normal', 'Explosion', 'Fighting')),
    )
    assert ds[0]['inputs'].shape == (2, 1, 4)
    assert int(ds[0]['data_samples'].gt_label) == 2
