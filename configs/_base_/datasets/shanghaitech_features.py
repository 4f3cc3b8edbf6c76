# ShanghaiTech (weak split of Zhong et al.) ten-crop I3D features as RTFM
# distributes them (list/shanghai-i3d-{train,test}-10crop.list, (T, 10, 2048)).
# Names carry no label: label_file is the split list (1 = anomalous).
# RTFM's features cover ceil(frames / 16) snippets and its gt-sh.npy pads the
# mask with its last value: extend_last_interval reproduces that labelling
# (tools/data/build_gt.py shanghaitech --protocol snippet16_pad builds the
# same array). Test intervals: test_annotations.txt written by
# tools/data/convert_shanghaitech.py from the official masks.
dataset_type = 'SnippetFeatureDataset'
data_root = 'data/shanghaitech'
classes = ('Normal', 'Anomaly')
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
        ann_file='list/shanghai-i3d-train-10crop.list',
        path_map={
            '/home/yu/yu_ssd/SH_Train_ten_crop_i3d': f'{data_root}/SH_Train_ten_crop_i3d'
        },
        label_file='SH_Train_new.txt',
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
        ann_file='list/shanghai-i3d-test-10crop.list',
        path_map={
            '/home/yu/yu_ssd/SH_Test_ten_crop_i3d': f'{data_root}/SH_Test_ten_crop_i3d'
        },
        label_file='SH_Test_NEW.txt',
        test_ann_file='test_annotations.txt',
        extend_last_interval=True,
        metainfo=dict(classes=classes),
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader

val_evaluator = dict(type='VADMetric', protocol='snippet16')
test_evaluator = val_evaluator
