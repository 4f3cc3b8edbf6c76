# The synthetic demo data written by tools/data/make_demo_dataset.py (see
# docs/data_preparation.md): 64x64 clips of 8 frames.
dataset_type = 'TimestampSegmentDataset'
# FGCLIP_DEMO_ROOT overrides the location (used by the tests).
data_root = '{{$FGCLIP_DEMO_ROOT:data/demo}}'
classes = ('Normal', 'Explosion', 'Fighting')
clip_len = 8
img_size = 64
# test clips score every 2nd frame; training clips use the same gap
frame_interval = 2
# Test-time prompts: the demo captions are a fixed set of sentences per class
# (fgclip_mm.datasets.demo_data.DEMO_CAPTIONS); scoring reuses them.
scorer_prompts = dict(
    class_prompts={
        'Normal': [
            'A normal surveillance video of people walking across a square.',
            'A quiet scene where a few pedestrians walk slowly.',
            'An ordinary street scene with people passing by.',
            'People walk calmly through the scene.',
            'A few pedestrians stroll across the ground.',
        ],
        'Explosion': [
            'An explosion happens and a bright orange fireball grows in the '
            'scene.',
            'A sudden blast creates an expanding ball of fire among the '
            'pedestrians.',
            'A bright orange fireball expanding from the blast.',
            'A growing orange and yellow explosion.',
        ],
        'Fighting': [
            'Two people in red fight violently in the middle of the scene.',
            'A fight breaks out as two people in red attack each other.',
            'A person in red throwing punches.',
            'A person in red fighting back.',
        ],
    }
)

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
    dict(type='DecodeSampledFrames', scale=(img_size, img_size)),
    dict(type='GenerateRegionBoxes', max_regions=2, strategy='virtual_mask'),
    dict(type='FlipWithBoxes', flip_ratio=0.5),
    dict(type='PackFGCLIPInputs'),
]
test_pipeline = [
    # clips of one video arrive in order: open it once
    dict(type='VideoReaderInit', reuse_reader=True),
    dict(type='DecodeSampledFrames', scale=(img_size, img_size)),
    dict(type='PackFGCLIPInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    # fresh workers each epoch, seeded from the epoch's RNG (bit-identical resume)
    persistent_workers=False,
    worker_init_fn=dict(type='epoch_worker_init_fn'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/train.json',
        data_prefix=dict(video=data_root),
        metainfo=dict(classes=classes),
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/test_annotations.txt',
        frame_counts_file=f'{data_root}/test_frame_counts.txt',
        data_prefix=dict(video=f'{data_root}/videos/test'),
        metainfo=dict(classes=classes),
        clip_len=clip_len,
        frame_interval=frame_interval,
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader

val_evaluator = dict(type='VADMetric', protocol='frame')
test_evaluator = val_evaluator
