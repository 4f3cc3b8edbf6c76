# Ablation C of the seed plan on UCF-Crime: up to 8 region slots per sample,
# the "5-8" row (fgclip_ucf.py: up to 4). Reports AUC and training time.
_base_ = ['../fgclip_ucf.py']

# One argument of the training transform pipeline[3] (GenerateRegionBoxes).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.pipeline[3].max_regions = 8
