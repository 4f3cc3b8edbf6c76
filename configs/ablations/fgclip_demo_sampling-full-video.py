# Ablation B of the seed plan on the demo data: each training sample is the
# whole video, 96 frames spread uniformly over it (every frame: demo videos
# have 48-96 frames; shorter ones repeat frames), as the original project
# trained on whole videos (fgclip_demo.py: 8 frames inside the annotated
# segments). The run's clips/s and peak memory are the point of this row.
_base_ = ['../fgclip_demo.py']

# the temporal position table must cover the 96 frames
model = dict(temporal_adapter=dict(max_frames=96))

# Arguments of the training transform pipeline[1] (SampleAnnotatedFrames).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.dataset.pipeline[1].strategy = 'full_video'
train_dataloader.dataset.dataset.pipeline[1].clip_len = 96
