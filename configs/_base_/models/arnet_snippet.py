# AR-Net (Wan et al., ICME 2020) on snippet features: FC-ReLU-dropout-FC
# regression network, dynamic k-max MIL loss (k = floor(n / 8) + 1) and a
# centre loss on normal videos (lambda 20).
model = dict(
    type='SnippetVADRecognizer',
    head=dict(type='ARNetHead', in_channels=2048, hidden_dim=512, dropout=0.7),
    loss=dict(type='ARNetLoss', k_div=8, lambda_center=20.0),
    average_crops=False,
    data_preprocessor=dict(type='SnippetDataPreprocessor'),
)

# Adam, lr 1e-4, weight decay 5e-4 (the public code's defaults; check them
# against the repository when reproducing the paper's numbers).
paper_optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=5e-4),
)
