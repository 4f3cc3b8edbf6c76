"""Corrupt videos in a training or test set are named or counted, never
turned into a wrong label (issue 13.2).

Every corrupt file is made here from the generated demo set: an empty file, a
cut mp4 (header lost, and header kept), a text file renamed ``.mp4``, an mp4
with a corrupt packet in the middle of ``mdat``, a video shorter than its
annotation, and an odd-sized (321x241) stream.
"""

import glob
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch

from fgclip_mm.datasets import TimestampSegmentDataset, VideoReadError
from fgclip_mm.datasets.demo_data import DEMO_CLASSES
from fgclip_mm.datasets.sample_skips import SKIPPED_KEY
from fgclip_mm.datasets.transforms import (
    DecodeSampledFrames,
    PackFGCLIPInputs,
    SampleAnnotatedFrames,
    VideoReaderInit,
)
from fgclip_mm.datasets.video_rotation import quarter_turns
from fgclip_mm.datasets.video_writer import write_mp4

from ._helpers import write_odd_video

#: The unreadable kinds (the short video is unreadable as annotated).
KINDS = (
    'zero_byte',
    'truncated',
    'truncated_faststart',
    'text_as_mp4',
    'corrupt_packet',
    'shorter_than_annotation',
)
FPS = 10  # the demo's frame rate
BACKENDS = ('decord', 'pyav')


# ----------------------------------------------------------- corrupt files
def decode_all(path):
    import av

    with av.open(path) as c:
        return np.stack(
            [f.to_ndarray(format='rgb24') for f in c.decode(video=0)]
        )


def middle_packet(path: str):
    """``(offset, size)`` in the file of the middle video packet (in the
    middle of ``mdat``)."""
    import av

    with av.open(path) as c:
        packets = [(p.pos, p.size) for p in c.demux(video=0) if p.size]
    return packets[len(packets) // 2]


def faststart_copy(src: str, dst: str) -> None:
    """``src`` remuxed with its header (``moov``) before the frames."""
    import av

    with (
        av.open(src) as inp,
        av.open(
            dst, 'w', format='mp4', options={'movflags': 'faststart'}
        ) as out,
    ):
        template = inp.streams.video[0]
        if hasattr(out, 'add_stream_from_template'):  # PyAV >= 14
            stream = out.add_stream_from_template(template)
        else:
            stream = out.add_stream(template=template)
        for packet in inp.demux(template):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)


def shorter_length(entry: dict) -> int:
    """Frames to keep so that the entry's last keyframe lies 2 s past the
    end (beyond VideoReaderInit's 1 s tolerance)."""
    last = max(kf['frame'] for region in entry['box_infos'] for kf in region)
    keep = max(2, last - 2 * FPS)
    assert last >= keep + FPS
    return keep


def make_corrupt(kind: str, src: str, dst: str, entry: dict) -> None:
    """Write the ``kind`` of corrupt copy of the video ``src`` to ``dst``."""
    with open(src, 'rb') as f:
        data = f.read()
    if kind == 'zero_byte':
        data = b''
    elif kind == 'truncated':  # the header is at the end: lost
        data = data[: len(data) // 2]
    elif kind == 'truncated_faststart':  # header kept, last frames lost
        faststart_copy(src, dst + '.full.mp4')
        with open(dst + '.full.mp4', 'rb') as f:
            data = f.read()
        data = data[: len(data) * 2 // 3]
    elif kind == 'text_as_mp4':
        data = b'Abuse001_x264.mp4 Abuse 1 2 -1 -1\n' * 20
    elif kind in ('corrupt_packet', 'damaged_slice'):
        # the packet's start (NAL length and header), or bytes inside its
        # slice data (which FFmpeg conceals, as players do)
        pos, size = middle_packet(src)
        at = pos if kind == 'corrupt_packet' else pos + size // 2
        junk = ((np.arange(16) * 37 + 11) % 256).astype(np.uint8).tobytes()
        data = data[:at] + junk + data[at + 16 :]
    elif kind == 'shorter_than_annotation':
        write_mp4(dst, decode_all(src)[: shorter_length(entry)], FPS)
        return
    with open(dst, 'wb') as f:
        f.write(data)


@pytest.fixture(scope='module')
def corrupt_root(demo_dir, tmp_path_factory):
    """The demo set plus one entry per corrupt kind (:data:`KINDS`, then
    ``damaged_slice``), each a copy of the first anomalous training entry
    pointing at a corrupt copy of its video. Returns ``(root, num_good,
    anomalous entry)``."""
    root = str(tmp_path_factory.mktemp('corrupt'))
    shutil.copytree(osp.join(demo_dir, 'videos'), osp.join(root, 'videos'))
    with open(osp.join(demo_dir, 'train.json')) as f:
        entries = json.load(f)
    source = next(e for e in entries if e['timestamps'] is None)
    os.makedirs(osp.join(root, 'videos', 'corrupt'))
    corrupt = []
    for kind in KINDS + ('damaged_slice',):
        rel = f'videos/corrupt/{source["video"].split("/")[-2]}/{kind}.mp4'
        os.makedirs(osp.dirname(osp.join(root, rel)), exist_ok=True)
        src = osp.join(root, source['video'])
        make_corrupt(kind, src, osp.join(root, rel), source)
        corrupt.append(dict(source, video=rel))
    with open(osp.join(root, 'train.json'), 'w') as f:
        json.dump(entries + corrupt, f)
    return root, len(entries), source


def train_pipeline(backend='decord', on_error='raise'):
    """Every frame of the video (so a corrupt packet anywhere is read)."""
    return [
        VideoReaderInit(backend=backend, on_error=on_error),
        SampleAnnotatedFrames(clip_len=128, strategy='full_video'),
        DecodeSampledFrames(scale=(32, 32), on_error=on_error),
        PackFGCLIPInputs(),
    ]


def train_set(root, **kwargs):
    pipeline_kwargs = {
        k: kwargs.pop(k) for k in ('backend', 'on_error') if k in kwargs
    }
    return TimestampSegmentDataset(
        'train.json',
        pipeline=train_pipeline(**pipeline_kwargs),
        data_root=root,
        data_prefix=dict(video=root),
        metainfo=dict(classes=DEMO_CLASSES),
        **kwargs,
    )


# ---------------------------------------------------------------- training
@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('kind', KINDS)
def test_corrupt_training_video_is_an_error_naming_file_and_entry(
    corrupt_root, kind, backend
):
    root, num_good, _ = corrupt_root
    ds = train_set(root, backend=backend)
    index = num_good + KINDS.index(kind)
    with pytest.raises(
        VideoReadError,
        match=rf'train\.json: entry {index} \({kind}\): .*{kind}\.mp4',
    ):
        ds[index]


@pytest.mark.parametrize('backend', BACKENDS)
def test_good_training_videos_still_load(corrupt_root, backend):
    root, num_good, _ = corrupt_root
    ds = train_set(root, backend=backend)
    for i in range(num_good):
        sample = ds[i]['data_samples']
        assert SKIPPED_KEY not in sample.metainfo
        assert sample.video_id == ds.get_data_info(i)['video_id']


@pytest.mark.parametrize('backend', BACKENDS)
def test_damaged_slice_data_is_concealed_as_players_do(corrupt_root, backend):
    """The documented policy: bytes damaged inside a packet's slice data
    decode with FFmpeg's error concealment (no error, the same frame count
    and shape, damaged pixels), like every player and feature extractor."""
    from fgclip_mm.datasets import open_video

    root, num_good, source = corrupt_root
    ds = train_set(root, backend=backend)
    index = num_good + len(KINDS)
    info = ds.get_data_info(index)
    assert info['video_id'] == 'damaged_slice'
    assert ds[index]['inputs'].shape[1:] == (3, 32, 32)
    frames = []
    for path in (osp.join(root, source['video']), info['filename']):
        reader = open_video(path, backend)
        frames.append(reader.get_frames(np.arange(reader.num_frames)))
    clean, damaged = frames
    assert damaged.shape == clean.shape
    np.testing.assert_array_equal(damaged[0], clean[0])  # an earlier GOP
    assert (damaged != clean).any()  # the damage is real


def test_reason_names_what_is_wrong(corrupt_root):
    root, num_good, source = corrupt_root
    ds = train_set(root)
    expected = dict(
        zero_byte='empty \\(0 bytes',
        truncated='truncated or corrupt',
        text_as_mp4='truncated or corrupt',
        corrupt_packet='failed to decode frames',
        shorter_than_annotation=(
            f'shorter than its annotation: keyframe \\d+ is annotated but '
            f'the video has only {shorter_length(source)} frames'
        ),
    )
    for kind, pattern in expected.items():
        with pytest.raises(VideoReadError, match=pattern):
            ds[num_good + KINDS.index(kind)]


@pytest.mark.parametrize('backend', BACKENDS)
def test_skip_substitutes_a_sample_that_keeps_its_own_label(
    corrupt_root, backend
):
    root, num_good, _ = corrupt_root
    ds = train_set(root, backend=backend, on_error='skip')
    labels = {
        ds.get_data_info(i)['filename']: ds.get_data_info(i)['label']
        for i in range(len(ds))
    }
    np.random.seed(0)
    for kind in KINDS:
        index = num_good + KINDS.index(kind)
        data = ds[index]
        sample = data['data_samples']
        # a good video with the label of its own entry
        assert '/corrupt/' not in sample.filename
        assert sample.gt_label.item() == labels[sample.filename]
        assert data['inputs'].shape[1:] == (3, 32, 32)
        skipped = sample.metainfo[SKIPPED_KEY]
        first = skipped[0]
        assert first['video_id'] == kind and first['ann_index'] == index
        assert first['filename'].endswith(f'{kind}.mp4')
        assert f'{kind}.mp4' in first['reason']
        # every record names a corrupt video (substitutes may fail too)
        assert all('/corrupt/' in r['filename'] for r in skipped)


def test_skip_gives_up_naming_the_samples_when_every_draw_fails(
    corrupt_root, tmp_path
):
    root, num_good, _ = corrupt_root
    with open(osp.join(root, 'train.json')) as f:
        entries = json.load(f)[num_good : num_good + len(KINDS)]
    ann = tmp_path / 'only_corrupt.json'
    ann.write_text(json.dumps(entries))
    ds = TimestampSegmentDataset(
        str(ann),
        pipeline=train_pipeline(on_error='skip'),
        data_prefix=dict(video=root),
        metainfo=dict(classes=DEMO_CLASSES),
        max_refetch=3,
    )
    with pytest.raises(
        VideoReadError,
        match=r'4 samples in a row could not be loaded \(max_refetch=3\)',
    ):
        ds[0]


def test_skips_are_counted_through_dataloader_workers(corrupt_root):
    """Two worker processes: every corrupt entry is reported in the batches
    that replaced it, and no batch holds a corrupt video."""
    from mmengine.dataset import pseudo_collate

    root, num_good, _ = corrupt_root
    ds = train_set(root, on_error='skip')
    loader = torch.utils.data.DataLoader(
        ds, batch_size=4, num_workers=2, collate_fn=pseudo_collate
    )
    seen, skipped = [], []
    for batch in loader:
        for sample in batch['data_samples']:
            seen.append(sample.video_id)
            skipped += sample.metainfo.get(SKIPPED_KEY, [])
    assert len(seen) == len(ds)
    assert not set(seen) & set(KINDS)
    # each corrupt entry is drawn once by the sampler (substitutes may hit
    # a corrupt one again)
    assert {r['video_id'] for r in skipped} == set(KINDS)
    assert len(skipped) >= len(KINDS)


# ----------------------------------------------------------------- testing
def test_set(root, names, counts, pipeline):
    """A UCF-format test split over ``names`` (all in videos/corrupt/...)
    with ``counts`` as the frame-count file."""
    lines = [f'{n}.mp4  Explosion  0  4  -1  -1' for n in names]
    with open(osp.join(root, 'test.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(osp.join(root, 'test_counts.txt'), 'w') as f:
        f.write(''.join(f'{n}.mp4 {c}\n' for n, c in zip(names, counts)))
    return TimestampSegmentDataset(
        'test.txt',
        pipeline=pipeline,
        data_root=root,
        data_prefix=dict(video='videos/test_split'),
        frame_counts_file='test_counts.txt',
        metainfo=dict(classes=DEMO_CLASSES),
        clip_len=8,
        test_mode=True,
    )


test_set.__test__ = False  # a helper, not a test


def test_pipeline(on_error='skip', out_of_range='error', backend='decord'):
    return [
        VideoReaderInit(backend=backend, on_error=on_error, reuse_reader=True),
        DecodeSampledFrames(
            scale=(32, 32), on_error=on_error, out_of_range=out_of_range
        ),
        PackFGCLIPInputs(),
    ]


test_pipeline.__test__ = False


@pytest.fixture(scope='module')
def test_split(corrupt_root):
    """The corrupt videos and one good one under videos/test_split/."""
    root, _, source = corrupt_root
    folder = osp.join(root, 'videos', 'test_split')
    os.makedirs(folder)
    for dirpath, _, files in os.walk(osp.join(root, 'videos', 'corrupt')):
        for name in files:
            if name.endswith('.mp4') and not name.endswith('.full.mp4'):
                shutil.copy(osp.join(dirpath, name), folder)
    shutil.copy(osp.join(root, source['video']), osp.join(folder, 'good.mp4'))
    return root, len(decode_all(osp.join(folder, 'good.mp4')))


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize(
    'kind', [k for k in KINDS if k != 'shorter_than_annotation']
)
def test_unreadable_test_video_is_an_error_even_with_skip(
    test_split, kind, backend
):
    root, num_frames = test_split
    ds = test_set(root, [kind], [num_frames], test_pipeline(backend=backend))
    with pytest.raises(
        VideoReadError,
        match=rf'test\.txt: line 1 \({kind}\): .*{kind}\.mp4.*'
        "on_error='skip' does not apply to test samples",
    ):
        for i in range(len(ds)):  # a corrupt packet fails in one clip
            ds[i]


@pytest.mark.parametrize('out_of_range', ['error', 'clamp'])
def test_test_video_shorter_than_its_frame_count_names_file_and_line(
    test_split, out_of_range
):
    root, _ = test_split
    short = 'shorter_than_annotation'
    num = len(
        decode_all(osp.join(root, 'videos', 'test_split', short + '.mp4'))
    )
    pipeline = test_pipeline(on_error='skip', out_of_range=out_of_range)
    ds = test_set(root, ['good', short], [8, num + 3], pipeline)
    first_short = next(
        i for i in range(len(ds)) if ds.get_data_info(i)['video_id'] == short
    )
    with pytest.raises(
        VideoReadError,
        match=rf'test\.txt: line 2 \({short}\): .*{short}\.mp4 is shorter '
        r'than its '
        rf'annotation: the annotation says {num + 3} frames but the file '
        rf'decodes {num}',
    ):
        ds[first_short]  # the first clip already fails


def test_clamp_tolerates_a_frame_count_two_frames_too_large(test_split):
    """The documented policy: ``out_of_range='clamp'`` repeats the last
    frame for up to ``max_clamp`` (2) missing frames."""
    root, num_frames = test_split
    ds = test_set(
        root, ['good'], [num_frames + 2], test_pipeline(out_of_range='clamp')
    )
    last = ds[len(ds) - 1]['inputs']
    torch.testing.assert_close(last[-1], last[-2])
    assert ds.get_data_info(len(ds) - 1)['frame_inds'][-1] == num_frames + 1


def test_a_test_sample_dropped_by_any_transform_is_named(test_split):
    root, num_frames = test_split
    ds = test_set(root, ['good'], [num_frames], [lambda results: None])
    with pytest.raises(
        VideoReadError,
        match=r'test.txt: line 1 \(good\).*good.mp4: the test pipeline '
        'returned no sample',
    ):
        ds[0]


# ------------------------------------------------- odd-sized, rotated stream
@pytest.fixture(scope='module')
def odd_videos(tmp_path_factory):
    """321x241, 12 frames: ``{rotation: path}`` for 0, 90, 180 and 270
    degrees, and the frames."""
    import av

    if 'libx264' not in av.codecs_available:
        pytest.skip('PyAV without libx264')
    h, w = 241, 321
    yy, xx = np.mgrid[0:h, 0:w]
    frames = np.stack(
        [
            np.stack([xx + 7 * t, yy, np.full_like(xx, 20 * t)], -1) % 256
            for t in range(12)
        ]
    ).astype(np.uint8)
    folder = tmp_path_factory.mktemp('odd')
    paths = {}
    for rotation in (0, 90, 180, 270):
        paths[rotation] = str(folder / f'odd_321x241_rot{rotation}.mp4')
        write_odd_video(paths[rotation], frames, rotation, fps=FPS)
    return paths, frames


def test_rotation_is_read_from_the_track_header(odd_videos, corrupt_root):
    paths, _ = odd_videos
    assert {r: quarter_turns(p) for r, p in paths.items()} == {
        0: 0,
        90: 1,
        180: 2,
        270: 3,
    }
    root, _, _ = corrupt_root
    for kind in KINDS:  # broken headers read as unrotated, never raise
        assert quarter_turns(glob_one(root, f'{kind}.mp4')) == 0


def glob_one(root, name):
    (path,) = glob.glob(osp.join(root, 'videos', 'corrupt', '*', name))
    return path


def decode_sample(path, backend, scale, frame_inds=(0, 5, 11)):
    results = VideoReaderInit(backend=backend)(
        dict(filename=path, video_id='odd', frame_inds=np.array(frame_inds))
    )
    return DecodeSampledFrames(scale=scale)(results)


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize(
    'scale,shape', [(None, (241, 321)), ((64, 48), (48, 64)), (64, (64, 85))]
)
def test_odd_sized_stream_decodes_to_the_expected_shape(
    odd_videos, backend, scale, shape
):
    paths, frames = odd_videos
    results = decode_sample(paths[0], backend, scale)
    assert results['original_shape'] == (241, 321)
    assert results['imgs'].shape == (3, *shape, 3)
    if scale is None:  # the pixels, not only the shape
        diff = np.abs(results['imgs'].astype(int) - frames[[0, 5, 11]])
        assert diff.mean() < 3


@pytest.mark.parametrize('rotation', [90, 180, 270])
def test_rotated_stream_is_displayed_alike_by_both_backends(
    odd_videos, rotation
):
    """decord turns a rotated stream itself; the PyAV reader turns it the
    same way, and both report the displayed size, so a short-side resize
    keeps the displayed aspect ratio."""
    paths, frames = odd_videos
    turns = rotation // 90
    displayed = np.rot90(frames[[0, 5, 11]], turns, axes=(1, 2))
    tall = turns % 2 == 1
    for scale, shape in (
        (None, displayed.shape[1:3]),
        (64, (85, 64) if tall else (64, 85)),
    ):
        imgs = {}
        for backend in BACKENDS:
            results = decode_sample(paths[rotation], backend, scale)
            assert results['original_shape'] == displayed.shape[1:3]
            assert results['imgs'].shape == (3, *shape, 3), backend
            imgs[backend] = results['imgs'].astype(int)
        assert np.abs(imgs['decord'] - imgs['pyav']).mean() < 3
        if scale is None:
            assert np.abs(imgs['pyav'] - displayed).mean() < 3
