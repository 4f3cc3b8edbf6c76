# Ablation B of the seed plan on UCF-Crime: a random clip of consecutive
# frames anywhere in the video, ignoring the annotation (fgclip_ucf.py:
# inside the annotated segments).
_base_ = ['../fgclip_ucf.py']

# One argument of the training transform pipeline[1] (SampleAnnotatedFrames).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.pipeline[1].strategy = 'random_clip'
