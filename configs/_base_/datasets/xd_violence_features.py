# XD-Violence snippet features as its authors distribute them: five-crop I3D,
# one file per crop <video>__<k>.npy (k = 0..4, (T, 2048)), lists with one
# path per crop file (list/rgb.list, list/rgbtest.list). Crops of a video
# are grouped into (T, 5, 2048); label_A in the name = normal, otherwise the
# first label code's class. Test intervals: the UCF-format file written by
# tools/data/convert_xd_violence.py. VadCLIP's XD CSVs (xd_CLIP_rgb.csv,
# per-crop (T, 512)) load the same way with ann_file='...csv'.
dataset_type = 'SnippetFeatureDataset'
data_root = 'data/xd_violence'
classes = (
    'Normal',
    'Fighting',
    'Shooting',
    'Riot',
    'Abuse',
    'CarAccident',
    'Explosion',
)
num_segments = 32

train_pipeline = [
    dict(type='LoadSnippetFeatures'),
    dict(type='SampleSnippetSegments', num_segments=num_segments),
    dict(type='PackSnippetInputs'),
]
test_pipeline = [
    dict(type='LoadSnippetFeatures'),
    dict(type='PackSnippetInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='list/rgb.list',
        data_prefix=dict(feature='i3d-features/RGB'),
        metainfo=dict(classes=classes),
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='list/rgbtest.list',
        data_prefix=dict(feature='i3d-features/RGBTest'),
        test_ann_file='test_annotations.txt',
        metainfo=dict(classes=classes),
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader

val_evaluator = dict(type='VADMetric', protocol='snippet16')
test_evaluator = val_evaluator
