# No temporal layer on UCF-Crime: the temporal adapter is the identity
# (num_layers=0), so the video embedding is the mean of the CLIP frame
# embeddings and every test frame is scored on its own (fgclip_ucf.py: one
# temporal transformer layer, trained at the test stride). Reports AUC, AP.
_base_ = ['../fgclip_ucf.py']

model = dict(temporal_adapter=dict(num_layers=0))
