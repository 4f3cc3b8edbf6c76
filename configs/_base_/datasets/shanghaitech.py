# ShanghaiTech, weakly supervised split (SH_Train_new / SH_Test_NEW): video-level
# labels for training, frame masks for testing; prepared by
# tools/data/convert_shanghaitech.py.
_base_ = ['./video_level_labels.py']

data_root = 'data/sht_weak'
classes = ('Normal', 'Anomaly')
# Test-time prompts, one list of sentences per class of `classes`.
scorer_prompts = dict(
    class_prompts={
        'Normal': ['people walking on a campus.', 'a normal campus scene.'],
        'Anomaly': [
            'a person running, fighting or riding a bike on a campus.',
            'a vehicle on a pedestrian walkway.',
            'an abnormal event on a campus.',
        ],
    }
)

train_dataloader = dict(
    dataset=dict(
        ann_file=f'{data_root}/train.json',
        data_prefix=dict(video=data_root),
        metainfo=dict(classes=classes),
    )
)
test_dataloader = dict(
    dataset=dict(
        ann_file=f'{data_root}/test_annotations.txt',
        data_prefix=dict(video=data_root),
        metainfo=dict(classes=classes),
    )
)
# ShanghaiTech is reported with frame-level AUC (the base's test_evaluator).
