# Ablation B of the seed plan on the demo data: a random clip of
# consecutive frames (fgclip_demo.py: inside the annotated segments).
_base_ = ['../fgclip_demo.py']

# One argument of the training transform pipeline[1] (SampleAnnotatedFrames).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.dataset.pipeline[1].strategy = 'random_clip'
