# UCF-Crime + MSAD: train on a merged FG-CLIP VAD JSON whose MSAD paths are
# Label Studio exports, test on MSAD's weakly supervised test split
# ("protocol ii", 120 normal + 120 anomalous videos) prepared by
# tools/data/convert_msad.py (see docs/data_preparation.md, "MSAD" and
# "Several datasets in one training file"). Every UCF-Crime and MSAD test
# video is excluded from training.
#
# data/ucf_msad/
#   train_merged.json   merged FG-CLIP JSON (UCF-Crime + MSAD)
#   videos/ucf/         UCF-Crime, as under UCF_Crimes_Videos/UCF_Crimes/Videos/
#   videos/msad/        MSAD, as under Label Studio's MSAD/ folder
#   Temporal_Anomaly_Annotation_for_Testing_Videos.txt
#   msad/test_annotations.txt, msad/test_order.txt:
#       convert_msad.py --video-root data/ucf_msad/videos/msad \
#           --out-dir data/ucf_msad/msad ...
dataset_type = 'TimestampSegmentDataset'
# FGCLIP_MSAD_ROOT overrides the location.
data_root = '{{$FGCLIP_MSAD_ROOT:data/ucf_msad}}'
ucf_prefix = 'UCF_Crimes_Videos/UCF_Crimes/Videos/'
msad_prefix = '/data/local-files/?d=MSAD/'
# fgclip_mm.annotations.UCF_MSAD_CLASSES: UCF-Crime's 14, then MSAD's new
# ones; MSAD's Traffic_accident is RoadAccidents (EQUIVALENT_CLASSES).
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
    'Fire',
    'Object_falling',
    'People_falling',
    'Water_incident',
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
        'fire',
        'object falling',
        'people falling',
        'water incident',
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
        ann_file=f'{data_root}/train_merged.json',
        data_prefix=dict(video=f'{data_root}/videos'),
        # annotation prefix -> folder under data_prefix, longest first
        path_map={ucf_prefix: 'ucf', msad_prefix: 'msad'},
        # each source's class table, mapped onto `classes`
        class_sources={ucf_prefix: 'ucf_crime', msad_prefix: 'msad'},
        exclude_file=[
            f'{data_root}/Temporal_Anomaly_Annotation_for_Testing_Videos.txt',
            f'{data_root}/msad/test_order.txt',
        ],
        # leave out (and count, log, report) entries that fail validation;
        # 'repair' keeps those with more box tracks than captions or the reverse
        invalid_entries='skip',
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
        # UCF-Crime text format with frame counts (convert_msad.py)
        ann_file=f'{data_root}/msad/test_annotations.txt',
        data_prefix=dict(video=f'{data_root}/videos/msad'),
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
