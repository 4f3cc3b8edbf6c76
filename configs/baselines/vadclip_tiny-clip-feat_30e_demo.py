# VadCLIP-style dual branch (Wu et al., AAAI 2024) on the demo data's cached
# snippet features (64-d). The text tower is the trained demo CLIP, exported
# with tools/export_clip_weights.py to data/demo/clip.pt (`make
# demo-baselines` does both).
_base_ = [
    '../_base_/models/vadclip_snippet.py',
    '../_base_/datasets/demo_features.py',
    '../_base_/schedules/snippet_baseline_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    head=dict(
        in_channels=64,
        classes=['normal', 'explosion', 'fighting'],
        text_encoder={{_base_.feature_clip}},
        adapter=dict(window=4, num_layers=1, num_heads=4, max_len=64),
        prompt_context=4,
    )
)
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3)
)
# no validation split: the test set never picks checkpoints
val_dataloader = None
val_evaluator = None
