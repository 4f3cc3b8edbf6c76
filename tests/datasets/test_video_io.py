import os
import shutil

import av
import numpy as np
import pytest

from fgclip_mm.datasets.video_io import (
    PyAVReader,
    VideoReadError,
    get_num_frames,
    open_video,
)

from ._helpers import CARPHONE


def sequential_pyav(path):
    with av.open(path) as c:
        return np.stack(
            [f.to_ndarray(format='rgb24') for f in c.decode(video=0)]
        )


@pytest.mark.parametrize('backend', ['decord', 'pyav'])
def test_get_frames_wants_sorted_unique_indices(backend):
    reader = open_video(CARPHONE, backend)
    for inds in ([3, 3], [5, 2]):
        with pytest.raises(ValueError, match='sorted and unique'):
            reader.get_frames(inds)
    with pytest.raises(ValueError, match='non-empty 1-D'):
        reader.get_frames([])
    reader.close()


@pytest.mark.parametrize(
    'seek_gap, seeks',
    [(32, [0, 40, 97]), (1000, [0]), (0, [0, 5, 6, 40, 41, 97, 119])],
)
def test_pyav_seeks_only_across_gaps_larger_than_seek_gap(
    monkeypatch, seek_gap, seeks
):
    inds = [0, 5, 6, 40, 41, 97, 119]
    reader = PyAVReader(CARPHONE, seek_gap=seek_gap)
    done = []
    real_seek = reader._seek

    def counting_seek(index):
        done.append(index)
        real_seek(index)

    monkeypatch.setattr(reader, '_seek', counting_seek)
    frames = reader.get_frames(inds, size=(88, 72))
    reader.close()
    assert done == seeks
    with av.open(CARPHONE) as c:
        ref = np.stack(
            [
                f.to_ndarray(format='rgb24', width=88, height=72)
                for f in c.decode(video=0)
            ]
        )[inds]
    np.testing.assert_array_equal(frames, ref)


def test_pyav_stream_ending_before_a_wanted_frame_is_an_error():
    reader = PyAVReader(CARPHONE)
    reader._num_frames = 200  # a header promising more than the file holds
    with pytest.raises(
        VideoReadError, match='carphone.*stream ended before frame 130'
    ):
        reader.get_frames([10, 130])
    reader.close()


def test_get_num_frames_reads_each_file_version_once(monkeypatch, tmp_path):
    from fgclip_mm.datasets import video_io

    path = str(tmp_path / 'copy.mp4')
    shutil.copy(CARPHONE, path)
    opened = []
    real_open = video_io.open_video

    def counting_open(filename, *args, **kwargs):
        opened.append(filename)
        return real_open(filename, *args, **kwargs)

    monkeypatch.setattr(video_io, 'open_video', counting_open)
    assert get_num_frames(path) == 120 == get_num_frames(path)
    assert opened == [path]
    os.utime(path, (1e9, 1e9))  # another version of the file: read again
    assert get_num_frames(path, 'pyav') == 120
    assert opened == [path, path]
    assert len(sequential_pyav(path)) == 120
    with pytest.raises(VideoReadError, match='not found: .*none.mp4'):
        get_num_frames(str(tmp_path / 'none.mp4'))
    with pytest.raises(ValueError, match="Unknown video backend 'opencv'"):
        open_video(CARPHONE, 'opencv')


@pytest.mark.parametrize('size', [None, (64, 48), (33, 17)])
def test_frame_converter_gives_what_to_ndarray_gives(size):
    from fgclip_mm.datasets.pyav_reader import frame_converter

    convert = frame_converter(size)
    kwargs = dict(format='rgb24')
    if size is not None:
        kwargs.update(width=size[0], height=size[1])
    with av.open(CARPHONE) as c:
        for i, frame in enumerate(c.decode(video=0)):
            np.testing.assert_array_equal(
                convert(frame), frame.to_ndarray(**kwargs)
            )
            if i == 10:
                break


def test_frame_converter_turns_counterclockwise():
    from fgclip_mm.datasets.pyav_reader import frame_converter

    with av.open(CARPHONE) as c:
        frame = next(c.decode(video=0))
        np.testing.assert_array_equal(
            frame_converter(None, 1)(frame),
            np.rot90(frame.to_ndarray(format='rgb24')),
        )
