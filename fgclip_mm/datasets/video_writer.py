"""Writing frames as an mp4 file (demo data, converters, tests)."""

import os
import os.path as osp

import numpy as np

__all__ = ['write_mp4']


def write_mp4(
    path: str, frames: np.ndarray, fps: int, gop_size: int = 12
) -> None:
    """Encode uint8 RGB frames ``(T, H, W, 3)`` (even H and W) as H.264 mp4
    (MPEG-4 Part 2 when PyAV lacks libx264); decord reads back exactly T
    frames.
    """
    import av

    codec = 'libx264' if 'libx264' in av.codecs_available else 'mpeg4'
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with av.open(path, 'w') as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = 'yuv420p'
        stream.codec_context.gop_size = gop_size
        if codec == 'libx264':
            stream.options = {
                'crf': '18',
                'preset': 'veryfast',
                'threads': '1',
            }
        for img in frames:
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
