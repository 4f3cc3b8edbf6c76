# RTFM (Tian et al., ICCV 2021) on (ten-crop I3D) snippet features.
# MTN (PDC dilations 1/2/4 + non-local), top-3 feature magnitudes, margin
# 100, classifier 2048-512-128-1 with dropout 0.7; loss weights of the public
# code (alpha 1e-4, sparsity 8e-3, smoothness 8e-4). Crops run through the
# network separately; scores / magnitudes are averaged over crops.
model = dict(
    type='SnippetVADRecognizer',
    head=dict(
        type='RTFMHead',
        in_channels=2048,
        hidden_dims=(512, 128),
        dropout=0.7,
        dilations=(1, 2, 4),
    ),
    loss=dict(
        type='RTFMLoss',
        k=3,
        margin=100.0,
        alpha=1e-4,
        lambda_sparse=8e-3,
        lambda_smooth=8e-4,
        selection_dropout=0.7,
        form='rtfm',
    ),
    data_preprocessor=dict(type='SnippetDataPreprocessor'),
)

# RTFM trains with Adam, lr 1e-3, weight decay 5e-3, 32 segments per video,
# batches of 32 normal + 32 abnormal videos.
paper_optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=5e-3),
)
