# Datasets with video-level labels for training (XD-Violence, the weakly
# supervised ShanghaiTech split): each training video carries its class
# (`label_source='field'`) and a caption made from the class name; there are
# no region annotations, so every frame gets the virtual full-frame box.
# Frame-level annotations for testing. A dataset base inheriting this file
# sets `data_root`, `classes`, `scorer_prompts` and the annotation paths.
dataset_type = 'TimestampSegmentDataset'
clip_len = 16
img_size = 224

train_pipeline = [
    dict(type='VideoReaderInit'),
    dict(
        type='SampleAnnotatedFrames', clip_len=clip_len, strategy='full_video'
    ),
    # the whole frame resized to img_size x img_size while decoding, as
    # FG-CLIP does; test sees the same geometry (no crop), so its
    # full-frame box is training's virtual box
    dict(type='DecodeSampledFrames', scale=(img_size, img_size)),
    dict(type='GenerateRegionBoxes', max_regions=1, strategy='virtual_mask'),
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

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    # fresh workers each epoch, seeded from the epoch's RNG
    # (bit-identical resume)
    persistent_workers=False,
    worker_init_fn=dict(type='epoch_worker_init_fn'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        label_source='field',
        caption_template='A video of {class_text}.',
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
        clip_len=clip_len,
        # score every 8th frame, interpolate in between
        frame_interval=8,
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
