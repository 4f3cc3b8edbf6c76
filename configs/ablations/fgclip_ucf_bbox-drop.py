# Ablation D of the seed plan on UCF-Crime: drop the samples without boxes
# (fgclip_ucf.py: virtual box + mask).
_base_ = ['../fgclip_ucf.py']

# One argument of the training transform pipeline[3] (GenerateRegionBoxes).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.pipeline[3].strategy = 'drop'
