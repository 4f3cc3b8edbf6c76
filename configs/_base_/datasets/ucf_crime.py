# UCF-Crime: train on the original FG-CLIP VAD JSON, test on the official
# temporal annotation (see docs/data_preparation.md). Every official test video
# is excluded from training.
dataset_type = 'TimestampSegmentDataset'
# FGCLIP_UCF_ROOT overrides the location (used by the tests).
data_root = '{{$FGCLIP_UCF_ROOT:data/ucf_crime}}'
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
# Test-time prompts, in the order of `classes`: each name is expanded with the
# scorer's templates.
scorer_prompts = dict(
    classes=[
        'normal activity',
        'abuse',
        'arrest',
        'arson',
        'assault',
        'burglary',
        'explosion',
        'fighting',
        'road accident',
        'robbery',
        'shooting',
        'shoplifting',
        'stealing',
        'vandalism',
    ]
)
clip_len = 16
img_size = 224
# test clips score every 8th frame; training clips use the same gap
frame_interval = 8

train_pipeline = [
    dict(type='VideoReaderInit'),
    # frames at the test stride inside the annotated span, so the temporal
    # adapter is trained on the frame gaps it is tested on (docs/method.md)
    dict(
        type='SampleAnnotatedFrames',
        clip_len=clip_len,
        strategy='timestamped',
        span_sampling='stride',
        frame_interval=frame_interval,
    ),
    # the whole frame resized to img_size x img_size while decoding, as
    # FG-CLIP does; test sees the same geometry (no crop), so its
    # full-frame box is training's virtual box
    dict(type='DecodeSampledFrames', scale=(img_size, img_size)),
    dict(type='GenerateRegionBoxes', max_regions=4, strategy='virtual_mask'),
    dict(type='RandomResizedCropWithBoxes', area_range=(0.6, 1.0)),
    dict(type='ResizeFrames', scale=(img_size, img_size)),
    dict(type='FlipWithBoxes', flip_ratio=0.5),
    dict(type='PackFGCLIPInputs'),
]
test_pipeline = [
    # clips of one video arrive in order: open it once
    dict(type='VideoReaderInit', reuse_reader=True),
    dict(type='DecodeSampledFrames', scale=(img_size, img_size)),
    dict(type='PackFGCLIPInputs'),
]

# Half of every batch anomalous, as the original FG-CLIP VAD project trained
# (a plain shuffle of UCF-Crime's 1:5 split leaves a quarter of the batches of
# 8 without an anomaly, so the regional loss mostly contrasts virtual boxes).
train_batch_size = 8
train_dataloader = dict(
    batch_size=train_batch_size,
    num_workers=4,
    # fresh workers each epoch, seeded from the epoch's RNG (bit-identical resume)
    persistent_workers=False,
    worker_init_fn=dict(type='epoch_worker_init_fn'),
    sampler=dict(
        type='BalancedVADSampler',
        batch_size=train_batch_size,
        anomaly_ratio=0.5,
    ),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/ucf_fgclip_train_with_timestamps_en.json',
        data_prefix=dict(video=f'{data_root}/videos'),
        strip_prefix='UCF_Crimes_Videos/UCF_Crimes/Videos/',
        exclude_file=f'{data_root}/Temporal_Anomaly_Annotation_for_Testing_Videos.txt',
        metainfo=dict(classes=classes),
        pipeline=train_pipeline,
    ),
)
test_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        # official annotation with a frame-count column
        ann_file=f'{data_root}/test_annotations_with_frame_counts.txt',
        data_prefix=dict(video=f'{data_root}/videos'),
        metainfo=dict(classes=classes),
        clip_len=clip_len,
        # score every 8th frame, interpolate in between
        frame_interval=frame_interval,
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
# No validation split exists: do not pick checkpoints on the test set.
val_dataloader = None
val_evaluator = None
test_evaluator = dict(
    type='VADMetric', protocol='frame', ap_convention='sklearn'
)
