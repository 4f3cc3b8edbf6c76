# Ablation D of the seed plan on the demo data: drop the samples without
# boxes (fgclip_demo.py: virtual box + mask).
_base_ = ['../fgclip_demo.py']

# One argument of the training transform pipeline[3] (GenerateRegionBoxes).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.dataset.pipeline[3].strategy = 'drop'
