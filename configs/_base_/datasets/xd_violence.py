# XD-Violence: video-level labels for training (captions from class names),
# official annotations.txt for testing; prepared by tools/data/convert_xd_violence.py.
_base_ = ['./video_level_labels.py']

data_root = 'data/xd'
classes = (
    'Normal',
    'Fighting',
    'Shooting',
    'Riot',
    'Abuse',
    'CarAccident',
    'Explosion',
)
# Test-time prompts, in the order of `classes`: each name is expanded with the
# scorer's templates.
scorer_prompts = dict(
    classes=[
        'normal activity',
        'fighting',
        'shooting',
        'riot',
        'abuse',
        'car accident',
        'explosion',
    ]
)

train_dataloader = dict(
    dataset=dict(
        ann_file=f'{data_root}/train.json',
        data_prefix=dict(video=f'{data_root}/videos'),
        metainfo=dict(classes=classes),
    )
)
test_dataloader = dict(
    dataset=dict(
        ann_file=f'{data_root}/test_annotations.txt',
        data_prefix=dict(video=f'{data_root}/videos'),
        metainfo=dict(classes=classes),
    )
)
# XD-Violence papers report AP (sklearn average precision, the base's
# test_evaluator); use build_gt.py --protocol snippet16 to compare with
# snippet-level label arrays.
