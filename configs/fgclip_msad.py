# FG-CLIP trained on a merged UCF-Crime + MSAD FG-CLIP VAD file, tested on MSAD
# (protocol ii test split): open_clip ViT-B/16 (frozen), temporal adapter,
# RoIAlign region head, dual contrastive loss.
# Set the weights: --cfg-options model.backbone.pretrained=/path/to/weights.pt
# (OpenAI weights: also model.backbone.arch=ViT-B-16-quickgelu).
# Check the annotation file first:
#   python tools/data/check_annotations.py data/ucf_msad/train_merged.json \
#       --config configs/fgclip_msad.py
_base_ = [
    '_base_/models/fgclip_vit-b16.py',
    '_base_/datasets/msad.py',
    '_base_/schedules/adamw_10e.py',
    '_base_/default_runtime.py',
]
# the UCF-Crime + MSAD class prompts (_base_/datasets/msad.py)
model = dict(scorer={{_base_.scorer_prompts}})
# every skipped entry (index, video, reason), next to the default work dir
train_dataloader = dict(
    dataset=dict(report_file='work_dirs/fgclip_msad/invalid_entries.json')
)
val_cfg = None  # no validation split: never pick checkpoints on the test set
