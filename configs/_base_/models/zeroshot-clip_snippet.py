# Zero-shot CLIP on cached CLIP frame features: class prompts encoded once by
# the CLIP text tower, score = 1 - p(normal). Not trainable: use only with
# tools/test.py. Point text_encoder.pretrained at the weights the features
# were extracted with; full configs set head.classes (normal first).
model = dict(
    type='SnippetVADRecognizer',
    head=dict(
        type='ZeroShotCLIPHead',
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
        templates=[
            'a video of {}.',
            'a photo of {}.',
            'a surveillance video of {}.',
        ],
        logit_scale=None,
    ),
    loss=None,
    data_preprocessor=dict(type='SnippetDataPreprocessor'),
)
