# ShanghaiTech, weakly supervised split (SH_Train_new / SH_Test_NEW): video-level
# labels for training, frame masks for testing; prepared by
# tools/data/convert_shanghaitech.py. Same pipelines as XD-Violence.
_base_ = ['./xd_violence.py']

data_root = 'data/sht_weak'
classes = ('Normal', 'Anomaly')

train_dataloader = dict(
    dataset=dict(
        ann_file=f'{data_root}/train.json',
        data_prefix=dict(video=data_root),
        metainfo=dict(classes=classes)))
test_dataloader = dict(
    dataset=dict(
        ann_file=f'{data_root}/test_annotations.txt',
        data_prefix=dict(video=data_root),
        metainfo=dict(classes=classes)))
# ShanghaiTech is reported with frame-level AUC.
test_evaluator = dict(type='VADMetric', protocol='frame')
