# Zero-shot CLIP on UCF-Crime: the FG-CLIP model with untrained (identity)
# adapters, i.e. plain CLIP frame and region embeddings scored against prompts.
#   python tools/test.py configs/zeroshot-clip_vit-b16_ucf.py none \
#       --cfg-options model.backbone.pretrained=/path/to/ViT-B-16.pt
_base_ = ['fgclip_ucf.py']
train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
