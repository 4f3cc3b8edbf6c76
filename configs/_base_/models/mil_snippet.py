# MIL ranking (Sultani et al., CVPR 2018) on snippet features.
# Paper: 4096-d C3D features of 32 segments per video, FC 512-32-1, dropout
# 0.6, ranking hinge + smoothness/sparsity (8e-5 each), Adagrad lr 1e-3,
# batches of 30 anomalous + 30 normal bags. Set in_channels to the cached
# features' dim (2048 I3D, 512 CLIP ViT-B/16).
model = dict(
    type='SnippetVADRecognizer',
    head=dict(
        type='MILHead', in_channels=2048, hidden_dims=(512, 32), dropout=0.6
    ),
    loss=dict(
        type='MILRankingLoss',
        margin=1.0,
        lambda_smooth=8e-5,
        lambda_sparse=8e-5,
    ),
    # multi-crop features: False = every crop is its own bag in training,
    # crop scores averaged at test time
    average_crops=False,
    data_preprocessor=dict(type='SnippetDataPreprocessor'),
)

# The paper's optimiser; the ||W||_F term (lambda_3 = 0.01) is the weight
# decay. Full configs: optim_wrapper = _base_.paper_optim_wrapper
paper_optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adagrad', lr=1e-3, weight_decay=1e-2),
)
