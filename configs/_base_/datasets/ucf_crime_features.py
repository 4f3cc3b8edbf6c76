# UCF-Crime snippet features as RTFM distributes them (ten-crop I3D,
# (T, 10, 2048) per video, list/ucf-i3d.list and list/ucf-i3d-test.list of
# tianyu0207/RTFM; see docs/baselines.md). The lists name the authors'
# paths (G:\UCF_Train_ten_crop_i3d\...): path_map points them at yours.
# Labels come from the video names (Normal_* = normal), not list positions.
#
# VadCLIP's CLIP features instead (per-crop (T, 512) files, CSV lists):
#   ann_file='list/ucf_CLIP_rgb.csv', data_prefix=dict(feature=
#   'data/ucf_crime/UCFClipFeatures'), keep_dirs=1, path_map=None,
#   and SampleSnippetsMaxLen(max_len=256) in the train pipeline.
# Our own cache (tools/extract_features.py --out data/ucf_crime/clip_features
# with configs/fgclip_ucf.py): ann_file='.../clip_features/index.json'.
dataset_type = 'SnippetFeatureDataset'
data_root = 'data/ucf_crime'
classes = (
    'Normal',
    'Abuse',
    'Arrest',
    'Arson',
    'Assault',
    'Burglary',
    'Explosion',
    'Fighting',
    'RoadAccidents',
    'Robbery',
    'Shooting',
    'Shoplifting',
    'Stealing',
    'Vandalism',
)
num_segments = 32  # Sultani et al. / RTFM

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
        ann_file='list/ucf-i3d.list',
        path_map={
            'G:\\UCF_Train_ten_crop_i3d\\': f'{data_root}/UCF_Train_ten_crop_i3d'
        },
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
        ann_file='list/ucf-i3d-test.list',
        path_map={
            'G:\\UCF_Test_ten_crop_i3d\\': f'{data_root}/UCF_Test_ten_crop_i3d'
        },
        test_ann_file='Temporal_Anomaly_Annotation_for_Testing_Videos.txt',
        metainfo=dict(classes=classes),
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader

val_evaluator = dict(type='VADMetric', protocol='snippet16')
test_evaluator = val_evaluator
