# Frozen FG-CLIP on the demo data, trained from the feature cache: an epoch
# reads cached global and region features instead of decoding video and
# re-running CLIP; everything after the backbone is the same model code.
# Make the cache first (see docs/fgclip_feature_cache.md):
#   python tools/extract_fgclip_cache.py configs/fgclip_demo_cached.py \
#       --out data/demo/fgclip_cache
# Testing still scores the raw test videos (tools/test.py). Pixel
# augmentations (flip, crops) cannot apply to cached features: they are left
# out here and refused in a cached pipeline.
_base_ = ['fgclip_demo.py']

# FGCLIP_CACHE_DIR overrides the location (used by the tests and the
# benchmark tools/analysis/benchmark_feature_cache.py).
cache_dir = '{{$FGCLIP_CACHE_DIR:data/demo/fgclip_cache}}'

# the cache holds what a frozen image tower computes (text tower frozen too:
# no part of CLIP runs in a training epoch once the captions are encoded)
model = dict(backbone=dict(frozen=True, freeze_text=True))

# the raw train pipeline (_base_/datasets/demo.py) with the decoding steps
# replaced by cache reads; sampling and box settings must stay equal to it
cached_train_pipeline = [
    dict(type='FGCLIPCacheInit', cache_dir=cache_dir),
    dict(
        type='SampleAnnotatedFrames',
        clip_len={{_base_.clip_len}},
        strategy='timestamped',
        span_sampling='stride',
        frame_interval={{_base_.frame_interval}},
    ),
    dict(type='SnapToCachedFrames'),
    dict(type='GenerateRegionBoxes', max_regions=2, strategy='virtual_mask'),
    dict(type='LoadFGCLIPCachedFeatures'),
    dict(type='PackFGCLIPCachedInputs'),
]
train_dataloader = dict(
    dataset=dict(dataset=dict(pipeline=cached_train_pipeline))
)
