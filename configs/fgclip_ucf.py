# FG-CLIP on UCF-Crime with the original FG-CLIP VAD annotations: open_clip
# ViT-B/16 (frozen), temporal adapter, RoIAlign region head, dual contrastive loss.
# Set the weights: --cfg-options model.backbone.pretrained=/path/to/weights.pt
# (OpenAI weights: also model.backbone.arch=ViT-B-16-quickgelu).
_base_ = [
    '_base_/models/fgclip_vit-b16.py',
    '_base_/datasets/ucf_crime.py',
    '_base_/schedules/adamw_10e.py',
    '_base_/default_runtime.py',
]
# the UCF-Crime class prompts (_base_/datasets/ucf_crime.py)
model = dict(scorer={{_base_.scorer_prompts}})
val_cfg = None  # no validation split: never pick checkpoints on the test set
