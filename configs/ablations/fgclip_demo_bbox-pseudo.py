# Ablation D of the seed plan on the demo data: a fixed pseudo box instead
# of the virtual box + mask of fgclip_demo.py.
_base_ = ['../fgclip_demo.py']

# One argument of the training transform pipeline[3] (GenerateRegionBoxes).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.dataset.pipeline[3].strategy = 'pseudo'
