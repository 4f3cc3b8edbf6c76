"""Generated training files as users have them (issue 11): UCF-Crime and
MSAD entries in one file, MSAD paths as Label Studio exports them, and
entries with every kind of defect, each with its expected reason code."""

import copy
import json
import os
import os.path as osp
from typing import List, Tuple

#: The annotation prefixes of the two sources and their local folders.
UCF_PREFIX = 'UCF_Crimes_Videos/UCF_Crimes/Videos/'
MSAD_PREFIX = '/data/local-files/?d=MSAD/'
PATH_MAP = {UCF_PREFIX: 'ucf', MSAD_PREFIX: 'msad'}
CLASS_SOURCES = {UCF_PREFIX: 'ucf_crime', MSAD_PREFIX: 'msad'}


def box(frame: int, x: float = 0.1) -> dict:
    return dict(frame=frame, bbox=[x, 0.2, x + 0.4, 0.7])


def ucf_entry(cls: str, n: int, regions: int = 2) -> dict:
    return dict(
        video=f'{UCF_PREFIX}{cls}/{cls}{n:03d}_x264.mp4',
        global_caption=f'{cls} number {n}.',
        region_captions=[f'{cls} region {r}' for r in range(regions)],
        box_infos=[[box(10 * r + 1), box(10 * r + 9)] for r in range(regions)],
        timestamps=None,
    )


def msad_entry(cls: str, n: int) -> dict:
    # Label Studio percent-encodes the path of its local-files URLs
    return dict(
        video=f'{MSAD_PREFIX}{cls}%2F{cls}_{n}.mp4',
        global_caption=f'{cls} in scene {n}.',
        region_captions=[f'{cls} here'],
        box_infos=[[box(3), box(30, 0.3)]],
        timestamps=None,
    )


def normal_entry(n: int) -> dict:
    return dict(
        video=f'{UCF_PREFIX}Training_Normal_Videos_Anomaly/'
        f'Normal_Videos{n:03d}_x264.mp4',
        global_caption='People walk by.',
        region_captions=[],
        box_infos=[[]],
        timestamps=[1.0, 9.5],
    )


def clean_entries() -> List[dict]:
    """Valid entries of both sources, normal and anomalous."""
    return [
        ucf_entry('Abuse', 1),
        msad_entry('Fire', 2),
        normal_entry(1),
        msad_entry('Traffic_accident', 4),
        ucf_entry('Burglary', 7, 1),
        msad_entry('People_falling', 5),
        normal_entry(2),
        ucf_entry('RoadAccidents', 3),
    ]


def defective_entries() -> List[Tuple[dict, str, str]]:
    """``(entry, reason code, action under 'repair')`` for every defect."""
    extra_box = ucf_entry('Fighting', 11)
    extra_box['box_infos'].append([box(50)])
    extra_caption = msad_entry('Robbery', 12)
    extra_caption['region_captions'].append('one caption too many')
    ucf_fire = ucf_entry('Fire', 13)  # Fire is MSAD's, not UCF-Crime's
    bad_ts = normal_entry(14)
    bad_ts['timestamps'] = [5.0, 2.0]
    empty = ucf_entry('Arson', 15)
    empty['region_captions'][1] = '  '
    pixels = msad_entry('Shooting', 16)
    pixels['box_infos'][0][0]['bbox'] = [12, 30, 200, 220]
    dup = ucf_entry('Stealing', 17)
    dup['box_infos'][0][1]['frame'] = 1
    no_caption = msad_entry('Vandalism', 18)
    del no_caption['global_caption']
    no_video = ucf_entry('Abuse', 19)
    del no_video['video']
    only_boxes = ucf_entry('Assault', 20)
    only_boxes['region_captions'] = []
    blank = msad_entry('Explosion', 21)
    blank['global_caption'] = ''
    return [
        (extra_box, 'count_mismatch', 'repaired'),
        (extra_caption, 'count_mismatch', 'repaired'),
        (ucf_fire, 'unknown_class', 'skipped'),
        (bad_ts, 'bad_timestamps', 'skipped'),
        (empty, 'empty_caption', 'skipped'),
        (pixels, 'box_out_of_range', 'skipped'),
        (dup, 'bad_keyframe', 'skipped'),
        (no_caption, 'missing_caption', 'skipped'),
        (no_video, 'bad_video', 'skipped'),
        (blank, 'empty_caption', 'skipped'),
        ('not an entry', 'not_an_object', 'skipped'),
        # no common prefix to keep: not repairable
        (only_boxes, 'count_mismatch', 'skipped'),
    ]


def mixed_entries() -> Tuple[list, List[int], List[Tuple[int, str, str]]]:
    """Clean and defective entries interleaved.

    Returns:
        tuple: The entries, the indices of the clean ones and ``(index,
        reason, action)`` of the defective ones.
    """
    clean, bad = clean_entries(), defective_entries()
    entries, clean_idx, bad_idx = [], [], []
    for i in range(max(len(clean), len(bad))):
        if i < len(bad):
            bad_idx.append((len(entries), bad[i][1], bad[i][2]))
            entries.append(copy.deepcopy(bad[i][0]))
        if i < len(clean):
            clean_idx.append(len(entries))
            entries.append(copy.deepcopy(clean[i]))
    return entries, clean_idx, bad_idx


def write_json(path: str, entries) -> str:
    with open(path, 'w') as f:
        json.dump(entries, f)
    return path


def touch_videos(root: str, entries) -> List[str]:
    """Create the local file of every valid entry under ``root/ucf`` and
    ``root/msad``; returns the paths."""
    paths = []
    for e in entries:
        video = e['video']
        if video.startswith(UCF_PREFIX):
            path = osp.join(root, 'ucf', video[len(UCF_PREFIX) :])
        else:
            rel = video[len(MSAD_PREFIX) :].replace('%2F', '/')
            path = osp.join(root, 'msad', rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        open(path, 'wb').close()
        paths.append(path)
    return paths
