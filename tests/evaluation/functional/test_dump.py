import json

import numpy as np
import pytest

from fgclip_mm.evaluation.functional import load_vad_dump, save_vad_dump


def _videos():
    return {
        'b': dict(
            scores=np.array([0.1, 0.9, 0.8]),
            labels=[0, 1, 1],
            class_name='Abuse',
            num_frames=4,
        ),
        'a': dict(
            scores=np.array([0.2, 0.3]), labels=[0, 0], class_name='Normal'
        ),
    }


def test_dump_round_trips_without_pickle(tmp_path):
    path = save_vad_dump(
        str(tmp_path / 'sub' / 'dump'),
        _videos(),
        meta=dict(protocol='frame', metrics=dict(AUC=0.75)),
    )
    assert path.endswith('dump.npz')
    # plain arrays only: readable with pickle disabled
    with np.load(path, allow_pickle=False) as data:
        assert data['video_ids'].tolist() == ['a', 'b']
        np.testing.assert_array_equal(data['offsets'], [0, 2, 5])
        meta = json.loads(str(data['meta']))
    assert meta['format_version'] == 1
    assert meta['metrics'] == dict(AUC=0.75)
    videos, meta = load_vad_dump(path)
    assert list(videos) == ['a', 'b']
    np.testing.assert_array_equal(videos['b']['scores'], [0.1, 0.9, 0.8])
    np.testing.assert_array_equal(videos['b']['labels'], [0, 1, 1])
    assert videos['b']['labels'].dtype == np.uint8
    assert videos['b']['class_name'] == 'Abuse'
    assert videos['b']['num_frames'] == 4
    assert videos['b']['is_anomalous'] is True
    assert videos['a']['num_frames'] == 2
    assert videos['a']['is_anomalous'] is False
    assert meta['protocol'] == 'frame'


def test_dump_rejects_misaligned_video(tmp_path):
    with pytest.raises(ValueError, match="video 'x'"):
        save_vad_dump(
            str(tmp_path / 'd.npz'),
            {'x': dict(scores=[0.1, 0.2], labels=[0], class_name='')},
        )


def test_loading_a_foreign_npz_is_a_clear_error(tmp_path):
    path = str(tmp_path / 'other.npz')
    np.savez(path, x=np.zeros(2))
    with pytest.raises(ValueError, match='not a VAD dump'):
        load_vad_dump(path)


def test_a_failed_write_leaves_the_previous_dump_and_no_partial_file(
    tmp_path, monkeypatch
):
    path = str(tmp_path / 'results.npz')
    video = dict(
        scores=np.array([0.1, 0.9]),
        labels=np.array([0, 1]),
        class_name='Abuse',
    )
    save_vad_dump(path, {'a': video})
    before = open(path, 'rb').read()

    def killed(file, **arrays):
        file.write(b'half a dump')
        raise KeyboardInterrupt

    monkeypatch.setattr(np, 'savez_compressed', killed)
    with pytest.raises(KeyboardInterrupt):
        save_vad_dump(path, {'b': video})
    assert open(path, 'rb').read() == before
    assert load_vad_dump(path)[0].keys() == {'a'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ['results.npz']
