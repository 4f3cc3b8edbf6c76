import copy
import math

import numpy as np
import pytest
import torch
from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample
from mmengine.evaluator import Evaluator
from sklearn import metrics as skm

from fgclip_mm.evaluation import VADMetric, expand_frame_scores, load_vad_dump

from ._vad_fixtures import VIDEOS, make_samples


def _evaluate(metric, samples):
    metric.process(None, copy.deepcopy(samples))
    return metric.evaluate(len(samples))


def _reference(samples, protocol='frame'):
    """Pooled labels/scores computed directly (np.interp + slicing)."""
    per_video = {}
    for vid, n, intervals, cls in sorted(VIDEOS):
        clips = [s for s in samples if s['video_id'] == vid]
        pairs = {}
        for c in clips:
            for i, v in zip(
                c['frame_inds'].tolist(),
                c['pred_frame_scores'].double().tolist(),
            ):
                pairs[i] = v  # overlapping clips carry identical scores
        inds = np.array(sorted(pairs))
        dense = np.interp(np.arange(n), inds, [pairs[i] for i in inds])
        labels = np.zeros(n, np.uint8)
        for s, e in intervals:
            labels[s:e] = 1
        if protocol == 'snippet16':
            m = n // 16
            dense = np.repeat(dense[: m * 16].reshape(m, 16).mean(1), 16)
            labels = labels[: m * 16]
        per_video[vid] = (labels, dense, cls, bool(intervals))
    return per_video


def _pool(per_video, keep=lambda v: True):
    items = [v for v in per_video.values() if keep(v)]
    return (
        np.concatenate([v[0] for v in items]),
        np.concatenate([v[1] for v in items]),
    )


@pytest.mark.parametrize('protocol', ['frame', 'snippet16'])
def test_metrics_match_sklearn_on_directly_built_pool(protocol):
    samples = make_samples()
    res = _evaluate(VADMetric(protocol=protocol), samples)
    ref = _reference(samples, protocol)
    labels, scores = _pool(ref)
    assert res['vad/num_videos'] == 6
    assert res['vad/num_frames'] == labels.size
    assert res['vad/AUC'] == pytest.approx(
        skm.roc_auc_score(labels, scores), abs=1e-12
    )
    assert res['vad/AP'] == pytest.approx(
        skm.average_precision_score(labels, scores), abs=1e-12
    )
    la, sa = _pool(ref, lambda v: v[3])
    assert res['vad/AUC_A'] == pytest.approx(
        skm.roc_auc_score(la, sa), abs=1e-12
    )
    _, sn = _pool(ref, lambda v: not v[3])
    assert res['vad/FAR'] == pytest.approx(np.mean(sn >= 0.5), abs=1e-12)
    for cls in ('Abuse', 'Arson'):
        lc, sc = _pool(ref, lambda v: v[2] == cls or not v[3])
        assert res[f'vad/AUC/{cls}'] == pytest.approx(
            skm.roc_auc_score(lc, sc), abs=1e-12
        )
    assert all(isinstance(v, (float, int)) for v in res.values())


def test_far_at_95_uses_largest_threshold_reaching_95_recall():
    samples = make_samples()
    res = _evaluate(VADMetric(), samples)
    labels, scores = _pool(_reference(samples))
    pos = np.sort(scores[labels == 1])[::-1]
    thr = pos[int(np.ceil(0.95 * pos.size)) - 1]
    assert res['vad/FAR@95_threshold'] == thr
    assert np.mean(scores[labels == 1] >= thr) >= 0.95
    _, sn = _pool(_reference(samples), lambda v: not v[3])
    assert res['vad/FAR@95'] == np.mean(sn >= thr)


def _far_at_recall_by_search(labels, scores, normal_scores, recall):
    """Oracle: try every score as the threshold, keep the largest one whose
    frame recall reaches ``recall``."""
    pos = scores[labels == 1]
    thr = max(t for t in np.unique(scores) if np.mean(pos >= t) >= recall)
    return np.mean(normal_scores >= thr), thr


def test_far_at_90_values_follow_recall_for_far():
    samples = make_samples()
    ref = _reference(samples)
    labels, scores = _pool(ref)
    _, normal_scores = _pool(ref, lambda v: not v[3])
    res90 = _evaluate(VADMetric(recall_for_far=0.9), samples)
    res95 = _evaluate(VADMetric(), samples)
    assert 'vad/FAR@95' not in res90
    for res, recall in ((res90, 0.9), (res95, 0.95)):
        key = f'vad/FAR@{recall * 100:g}'
        far, thr = _far_at_recall_by_search(
            labels, scores, normal_scores, recall
        )
        assert res[f'{key}_threshold'] == pytest.approx(thr, abs=1e-12)
        assert res[key] == pytest.approx(far, abs=1e-12)
    # the fixture separates the two recalls
    assert res90['vad/FAR@90_threshold'] > res95['vad/FAR@95_threshold']
    assert res90['vad/FAR@90'] < res95['vad/FAR@95']


def test_far_threshold_sets_the_far_value():
    samples = make_samples()
    _, normal_scores = _pool(_reference(samples), lambda v: not v[3])
    res = _evaluate(VADMetric(far_threshold=0.3), samples)
    assert res['vad/FAR'] == pytest.approx(
        np.mean(normal_scores >= 0.3), abs=1e-12
    )
    # the fixture's normal scores lie in [0, 0.5): FAR is 0 at 0.5
    assert res['vad/FAR'] > 0.2
    assert _evaluate(VADMetric(), samples)['vad/FAR'] == 0


def test_score_interp_linear_and_nearest_fill_the_gaps_differently(tmp_path):
    """Anomalous video: frames 0 and 4 sampled (scores 0 and 1), frames 3-4
    anomalous; normal video: 0.8 everywhere. Linear fills 0, .25, .5, .75,
    1; nearest 0, 0, 0 (tie: the earlier frame), 1, 1."""

    def sample(vid, scores, intervals):
        return dict(
            video_id=vid,
            frame_inds=torch.tensor([0, 4]),
            pred_frame_scores=torch.tensor(scores),
            total_frames=5,
            class_name='X' if intervals else 'Normal',
            anomaly_intervals=np.array(intervals).reshape(-1, 2),
        )

    samples = [sample('a', [0.0, 1.0], [[3, 5]]), sample('n', [0.8, 0.8], [])]
    labels = np.r_[0, 0, 0, 1, 1, np.zeros(5)]
    expected = dict(
        linear=[0.0, 0.25, 0.5, 0.75, 1.0], nearest=[0.0, 0.0, 0.0, 1.0, 1.0]
    )
    aucs = {}
    for mode, dense in expected.items():
        dump = str(tmp_path / f'{mode}.npz')
        res = _evaluate(VADMetric(score_interp=mode, dump_file=dump), samples)
        videos, _ = load_vad_dump(dump)
        np.testing.assert_allclose(videos['a']['scores'], dense, atol=1e-7)
        scores = np.r_[dense, np.full(5, 0.8)]
        assert res['vad/AUC'] == pytest.approx(
            skm.roc_auc_score(labels, scores), abs=1e-7
        )
        aucs[mode] = res['vad/AUC']
    # by hand: 0.75 beats 3 of the 8 negatives, 1.0 beats all of them
    assert aucs['linear'] == pytest.approx(11 / 16)
    assert aucs['nearest'] == 1.0


def test_pr_auc_convention_and_segments32_protocol_are_selectable():
    samples = make_samples()
    res = _evaluate(VADMetric(ap_convention='pr_auc'), samples)
    labels, scores = _pool(_reference(samples))
    precision, recall, _ = skm.precision_recall_curve(labels, scores)
    assert res['vad/AP'] == pytest.approx(
        skm.auc(recall, precision), abs=1e-12
    )
    res32 = _evaluate(VADMetric(protocol='segments32'), samples)
    assert res32['vad/num_frames'] == sum(v[1] for v in VIDEOS)


def test_result_does_not_depend_on_clip_order():
    samples = make_samples()
    ref = _evaluate(VADMetric(), samples)
    rng = np.random.default_rng(5)
    shuffled = [samples[i] for i in rng.permutation(len(samples))]
    assert _evaluate(VADMetric(), shuffled) == ref


def test_repeated_clip_records_count_once():
    samples = make_samples()
    ref = _evaluate(VADMetric(), samples)
    # e.g. a distributed sampler padding the last batch with early samples
    assert _evaluate(VADMetric(), samples + samples[:3]) == ref


def test_scores_of_a_frame_seen_by_two_clips_are_averaged():
    base = dict(
        video_id='v',
        total_frames=4,
        class_name='Abuse',
        anomaly_intervals=np.array([[2, 4]]),
    )
    a = dict(
        base,
        frame_inds=torch.tensor([0, 2]),
        pred_frame_scores=torch.tensor([0.0, 0.2]),
    )
    b = dict(
        base,
        frame_inds=torch.tensor([2, 3]),
        pred_frame_scores=torch.tensor([0.6, 1.0]),
    )
    metric = VADMetric(dump_file=None)
    metric.process(None, [a, b])
    videos = metric._merge_videos(metric.results)
    assert list(videos) == ['v']
    dense = expand_frame_scores(
        np.concatenate(videos['v']['frame_inds']),
        np.concatenate(videos['v']['scores']),
        4,
    )
    np.testing.assert_allclose(dense, [0.0, 0.2, 0.4, 1.0], atol=1e-7)


def test_labels_come_from_each_videos_own_intervals():
    # identical predictions, different ground truth -> different AUC
    def sample(vid, intervals, scores=(0.1, 0.2, 0.8, 0.9)):
        return dict(
            video_id=vid,
            frame_inds=torch.arange(4),
            pred_frame_scores=torch.tensor(scores),
            total_frames=4,
            class_name='X',
            anomaly_intervals=np.array(intervals).reshape(-1, 2),
        )

    normal = sample('b', [], (0.0, 0.0, 0.0, 0.0))
    res = _evaluate(VADMetric(), [sample('a', [[2, 4]]), normal])
    assert res['vad/AUC'] == 1.0
    res = _evaluate(VADMetric(), [sample('a', [[0, 2]]), normal])
    assert res['vad/AUC'] == pytest.approx(8 / 12)
    # inclusive: (2, 2) marks frame 2 only -> frame 3 (0.9) is a negative
    res = _evaluate(
        VADMetric(interval_convention='inclusive'),
        [sample('a', [[2, 2]]), normal],
    )
    assert res['vad/AUC'] == pytest.approx(6 / 7)
    res = _evaluate(VADMetric(), [sample('a', [[2, 3]]), normal])
    assert res['vad/AUC'] == pytest.approx(6 / 7)


def test_accepts_action_data_samples_and_runs_in_mmengine_evaluator():
    samples = make_samples()
    data_samples = []
    for s in samples:
        ds = ActionDataSample()
        ds.set_gt_label(s['gt_label'])
        ds.set_field(s['video_id'], 'video_id', field_type='metainfo')
        ds.set_field(s['total_frames'], 'total_frames', field_type='metainfo')
        ds.set_field(s['class_name'], 'class_name', field_type='metainfo')
        ds.set_field(
            s['anomaly_intervals'], 'anomaly_intervals', field_type='metainfo'
        )
        ds.frame_inds = s['frame_inds']
        ds.pred_frame_scores = s['pred_frame_scores']
        data_samples.append(ds)
    ref = _evaluate(VADMetric(), samples)
    direct = VADMetric()
    direct.process(None, data_samples)
    assert direct.evaluate(len(samples)) == ref
    evaluator = Evaluator(METRICS.build(dict(type='VADMetric')))
    for i in range(0, len(data_samples), 4):
        evaluator.process(data_samples[i : i + 4])
    assert evaluator.evaluate(len(data_samples)) == ref


def test_class_name_falls_back_to_dataset_meta_classes():
    samples = make_samples()
    for s in samples:
        del s['class_name']
        s['gt_label'] = torch.tensor(
            [
                {'Normal': 0, 'Abuse': 1, 'Arson': 2}[
                    next(v[3] for v in VIDEOS if v[0] == s['video_id'])
                ]
            ]
        )
    metric = VADMetric()
    metric.dataset_meta = dict(classes=['Normal', 'Abuse', 'Arson'])
    res = _evaluate(metric, samples)
    assert {'vad/AUC/Abuse', 'vad/AUC/Arson'} <= set(res)


def test_dump_holds_per_video_scores_labels_and_metrics(tmp_path):
    path = str(tmp_path / 'dump.npz')
    samples = make_samples()
    res = _evaluate(VADMetric(protocol='snippet16', dump_file=path), samples)
    videos, meta = load_vad_dump(path)
    ref = _reference(samples, 'snippet16')
    assert list(videos) == sorted(v[0] for v in VIDEOS)
    for vid, (labels, dense, cls, anomalous) in ref.items():
        np.testing.assert_array_equal(videos[vid]['labels'], labels)
        np.testing.assert_allclose(videos[vid]['scores'], dense, atol=1e-12)
        assert videos[vid]['class_name'] == cls
        assert videos[vid]['is_anomalous'] == anomalous
    assert videos['Abuse001']['num_frames'] == 130
    assert meta['protocol'] == 'snippet16'
    assert meta['metrics']['AUC'] == res['vad/AUC']


def test_missing_class_gives_nan_with_warning_not_a_crash():
    normal_only = [s for s in make_samples() if s['class_name'] == 'Normal']
    with pytest.warns(UserWarning, match='without anomalous'):
        res = _evaluate(VADMetric(), normal_only)
    assert math.isnan(res['vad/AUC']) and math.isnan(res['vad/AP'])
    assert math.isnan(res['vad/FAR@95'])
    assert not math.isnan(res['vad/FAR'])
    anomalous_only = [s for s in make_samples() if s['class_name'] != 'Normal']
    with pytest.warns(UserWarning, match='normal'):
        res = _evaluate(VADMetric(), anomalous_only)
    assert math.isnan(res['vad/FAR'])
    assert not math.isnan(res['vad/AUC'])


def test_inconsistent_clips_and_missing_keys_are_reported():
    samples = make_samples()
    bad = copy.deepcopy(samples)
    first = bad[0]['video_id']
    next(s for s in bad[1:] if s['video_id'] == first)['total_frames'] += 1
    metric = VADMetric()
    metric.process(None, bad)
    with pytest.raises(ValueError, match=first):
        metric.evaluate(len(bad))
    broken = dict(samples[0])
    del broken['pred_frame_scores']
    with pytest.raises(KeyError, match='pred_frame_scores'):
        VADMetric().process(None, [broken])


def test_invalid_arguments_are_rejected():
    for kwargs, message in (
        (dict(protocol='clip'), "protocol must be one of .*'clip'"),
        (dict(ap_convention='voc'), "ap_convention must be one of .*'voc'"),
        (
            dict(interval_convention='closed'),
            "interval_convention must be one of .*'closed'",
        ),
        (dict(score_interp='cubic'), "score_interp must be one of .*'cubic'"),
        (dict(recall_for_far=0), r'recall_for_far must be in \(0, 1\]'),
    ):
        with pytest.raises(ValueError, match=message):
            VADMetric(**kwargs)


def test_label_lengths_file_reproduces_the_shared_ucf_snippet16_labels(
    tmp_path, data_root
):
    """With the per-video label lengths, the metric's own labels are the
    widely shared UCF-Crime I3D label array (checked via its positive runs)."""
    import json
    import os.path as osp

    import torch

    from fgclip_mm.annotations import (
        parse_ucf_crime_annotations,
        read_video_list,
    )
    from fgclip_mm.evaluation import VADMetric, load_vad_dump

    ucf = osp.join(data_root, 'ucf_crime')
    ann = parse_ucf_crime_annotations(
        osp.join(ucf, 'test_annotations_with_frame_counts.txt')
    )
    samples = [
        dict(
            video_id=vid,
            frame_inds=torch.tensor([0, v['num_frames'] - 1]),
            pred_frame_scores=torch.tensor([0.2, 0.8]),
            total_frames=v['num_frames'],
            anomaly_intervals=np.asarray(v['intervals'], np.int64).reshape(
                -1, 2
            ),
            class_name=v['class_name'],
        )
        for vid, v in ann.items()
    ]
    lengths_csv = osp.join(ucf, 'test_snippet16_lengths.csv')
    dump = str(tmp_path / 'dump.npz')
    metric = VADMetric(
        protocol='snippet16', label_lengths_file=lengths_csv, dump_file=dump
    )
    metric.process(None, samples)
    result = metric.compute_metrics(metric.results)
    assert result['num_frames'] == 1109680

    videos, _ = load_vad_dump(dump)
    order = read_video_list(osp.join(ucf, 'test_order.txt'))
    ours = np.concatenate([videos[v]['labels'] for v in order])
    with open(osp.join(ucf, 'gt_snippet16_i3d_runs.json')) as f:
        runs = json.load(f)
    shared = np.zeros(runs['num_frames'], np.uint8)
    for s, e in runs['positive_runs']:
        shared[s:e] = 1
    np.testing.assert_array_equal(ours, shared)
    assert int(shared.sum()) == 84128

    # without the lengths the metric keeps every whole snippet
    metric = VADMetric(protocol='snippet16')
    metric.process(None, samples)
    assert metric.compute_metrics(metric.results)['num_frames'] == 1109824


def test_label_lengths_file_must_list_every_video(tmp_path):
    import torch

    from fgclip_mm.evaluation import VADMetric

    lengths = tmp_path / 'lengths.csv'
    lengths.write_text('video,label_frames\nv1,32\n')
    metric = VADMetric(protocol='snippet16', label_lengths_file=str(lengths))
    metric.process(
        None,
        [
            dict(
                video_id=vid,
                frame_inds=torch.tensor([0, 47]),
                pred_frame_scores=torch.tensor([0.1, 0.9]),
                total_frames=48,
                anomaly_intervals=np.zeros((0, 2), np.int64),
                class_name='Normal',
            )
            for vid in ('v1', 'v2')
        ],
    )
    with pytest.raises(ValueError, match="'v2' is not in label_lengths_file"):
        metric.compute_metrics(metric.results)
