# VadCLIP-style model (Wu et al., AAAI 2024) on CLIP ViT-B/16 frame features
# (512-d). The CLIP text tower encodes the class prompts: point
# text_encoder.pretrained at the CLIP weights the features were extracted
# with (OpenAI weights: arch='ViT-B-16-quickgelu'). Full configs set
# head.classes to the dataset's class names, normal first, in label order.
model = dict(
    type='SnippetVADRecognizer',
    head=dict(
        type='VadCLIPHead',
        in_channels=512,
        classes=[
            'normal',
            'abuse',
            'arrest',
            'arson',
            'assault',
            'burglary',
            'explosion',
            'fighting',
            'road accident',
            'robbery',
            'shooting',
            'shoplifting',
            'stealing',
            'vandalism',
        ],
        text_encoder=dict(
            type='OpenCLIPBackbone', arch='ViT-B-16', pretrained=None
        ),
        # window 8 on UCF-Crime, 64 on XD-Violence (paper Sec. 4.2)
        adapter=dict(window=8, num_layers=2, num_heads=8, max_len=256),
        prompt_context=8,
        temperature=0.07,
        test_score='binary',
    ),
    loss=dict(type='VadCLIPLoss', k_div=16, lambda_nce=1.0, lambda_cts=0.1),
    average_crops=False,
    data_preprocessor=dict(type='SnippetDataPreprocessor'),
)

# AdamW, lr 2e-5, 10 epochs, lr x0.1 at epochs 4 and 8, max length 256
# (the public code's UCF-Crime settings).
paper_optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-5)
)
