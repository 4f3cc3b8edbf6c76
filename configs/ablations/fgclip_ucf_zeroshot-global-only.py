# Plain CLIP zero-shot on UCF-Crime: untrained (identity) adapters and the
# global score only (alpha = 1); test only:
#   python tools/test.py configs/ablations/fgclip_ucf_zeroshot-global-only.py \
#       none --cfg-options model.backbone.pretrained=/path/to/ViT-B-16.pt
# (configs/zeroshot-clip_vit-b16_ucf.py scores global and regional.)
_base_ = ['../fgclip_ucf.py']

model = dict(scorer=dict(alpha=1.0))
train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
