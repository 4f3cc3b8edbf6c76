# Ablation C of the seed plan on the demo data: one region slot per sample
# (fgclip_demo.py: two).
_base_ = ['../fgclip_demo.py']

# One argument of the training transform pipeline[3] (GenerateRegionBoxes).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.dataset.pipeline[3].max_regions = 1
