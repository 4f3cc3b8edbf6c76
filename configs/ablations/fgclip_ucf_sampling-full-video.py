# Ablation B of the seed plan on UCF-Crime: each training sample is the whole
# video, 256 frames spread uniformly over it (every frame of a video up to
# 256 frames, frames repeated when shorter), as the original project trained;
# fgclip_ucf.py samples 16 frames inside the annotated segments. The run's
# clips/s and peak memory (RunStatsHook) are the point of this row.
_base_ = ['../fgclip_ucf.py']

# the temporal position table must cover the 256 frames
model = dict(temporal_adapter=dict(max_frames=256))

# Arguments of the training transform pipeline[1] (SampleAnnotatedFrames).
# mmengine merges no list element: edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.pipeline[1].strategy = 'full_video'
train_dataloader.dataset.pipeline[1].clip_len = 256
