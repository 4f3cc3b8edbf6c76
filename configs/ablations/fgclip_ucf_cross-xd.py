# Cross-dataset: train on UCF-Crime (fgclip_ucf.py), test on XD-Violence with
# its own class prompts (configs/_base_/datasets/xd_violence.py, prepared by
# tools/data/convert_xd_violence.py). XD-Violence papers report AP.
_base_ = ['../fgclip_ucf.py']

xd_root = '{{$FGCLIP_XD_ROOT:data/xd}}'
xd_classes = (
    'Normal',
    'Fighting',
    'Shooting',
    'Riot',
    'Abuse',
    'CarAccident',
    'Explosion',
)
model = dict(
    # the XD-Violence prompts (_base_/datasets/xd_violence.py), in the order
    # of `xd_classes`
    scorer=dict(
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
)
test_dataloader = dict(
    dataset=dict(
        ann_file=f'{xd_root}/test_annotations.txt',
        data_prefix=dict(video=f'{xd_root}/videos'),
        metainfo=dict(classes=xd_classes),
    )
)
