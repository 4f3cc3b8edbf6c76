# The demo split where regions matter, written by
#   python tools/data/make_demo_dataset.py --out data/demo_small --seed 0 \
#       --small-anomalies
# (see docs/data_preparation.md): a crowd of walkers and anomalies of a few %
# of the frame (a small flash of fire; two muted figures with small red fists
# fighting). Otherwise as _base_/datasets/demo.py: 64x64 clips of 8 frames.
dataset_type = 'TimestampSegmentDataset'
# FGCLIP_DEMO_SMALL_ROOT overrides the location (used by the tests).
data_root = '{{$FGCLIP_DEMO_SMALL_ROOT:data/demo_small}}'
classes = ('Normal', 'Explosion', 'Fighting')
clip_len = 8
img_size = 64
# test clips score every 2nd frame; training clips use the same gap
frame_interval = 2
# Test-time prompts: the demo captions are a fixed set of sentences per class
# (fgclip_mm.datasets.demo_data.DEMO_SMALL_CAPTIONS); scoring reuses them.
scorer_prompts = dict(
    class_prompts={
        'Normal': [
            'A crowded square where many people walk slowly.',
            'Many pedestrians cross a busy square.',
            'A busy scene with a crowd of people walking.',
            'People walk calmly through the crowd.',
            'Pedestrians stroll across the square.',
        ],
        'Explosion': [
            'A small fire flares up among the crowd in the square.',
            'A small blast flashes between the pedestrians.',
            'A small orange flame flaring up.',
            'A small bright flash of fire.',
        ],
        'Fighting': [
            'Two people in the crowd fight, throwing fast punches.',
            'A fight breaks out between two people in a crowd.',
            'A person throwing fast punches.',
            'A person fighting back.',
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
