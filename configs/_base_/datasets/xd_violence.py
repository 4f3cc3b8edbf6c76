# XD-Violence: video-level labels for training (captions from class names),
# official annotations.txt for testing; prepared by tools/data/convert_xd_violence.py.
dataset_type = 'TimestampSegmentDataset'
data_root = 'data/xd'
classes = ('Normal', 'Fighting', 'Shooting', 'Riot', 'Abuse', 'CarAccident',
           'Explosion')
clip_len = 16
img_size = 224

train_pipeline = [
    dict(type='VideoReaderInit'),
    dict(type='SampleAnnotatedFrames', clip_len=clip_len, strategy='full_video'),
    dict(type='DecodeSampledFrames', scale=(398, 224)),
    dict(type='GenerateRegionBoxes', max_regions=1, strategy='virtual_mask'),
    dict(type='RandomResizedCropWithBoxes', area_range=(0.6, 1.0)),
    dict(type='ResizeFrames', scale=(img_size, img_size)),
    dict(type='FlipWithBoxes', flip_ratio=0.5),
    dict(type='PackFGCLIPInputs'),
]
test_pipeline = [
    # clips of one video arrive in order: open it once
    dict(type='VideoReaderInit', reuse_reader=True),
    dict(type='DecodeSampledFrames', scale=(398, 224)),
    dict(type='CenterCropWithBoxes', crop_size=img_size),
    dict(type='PackFGCLIPInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    # fresh workers each epoch, seeded from the epoch's RNG (bit-identical resume)
    persistent_workers=False,
    worker_init_fn=dict(type='epoch_worker_init_fn'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/train.json',
        data_prefix=dict(video=f'{data_root}/videos'),
        label_source='field',
        caption_template='A video of {class_text}.',
        metainfo=dict(classes=classes),
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/test_annotations.txt',
        data_prefix=dict(video=f'{data_root}/videos'),
        metainfo=dict(classes=classes),
        clip_len=clip_len,
        frame_interval=8,
        test_mode=True,
        pipeline=test_pipeline))
val_dataloader = None
val_evaluator = None
# XD-Violence papers report AP (sklearn average precision); use
# build_gt.py --protocol snippet16 to compare with snippet-level label arrays.
test_evaluator = dict(type='VADMetric', protocol='frame', ap_convention='sklearn')
