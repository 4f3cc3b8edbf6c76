# No temporal layer on the demo data: the temporal adapter is the identity
# (num_layers=0), so the video embedding is the mean of the CLIP frame
# embeddings and every frame is scored on its own (fgclip_demo.py: one
# temporal transformer layer).
_base_ = ['../fgclip_demo.py']

model = dict(temporal_adapter=dict(num_layers=0))
