"""ShanghaiTech's weakly supervised split lists (Zhong et al., CVPR 2019)
and its per-video test frame masks."""

import glob
import os.path as osp
from typing import Dict, List, Optional, Sequence
from zipfile import BadZipFile

import numpy as np

from .base import (
    AnnotationError,
    first_occurrence,
    iter_lines,
    to_int,
    video_id_of,
)

__all__ = ['parse_shanghaitech_split', 'load_shanghaitech_masks']


def parse_shanghaitech_split(path: str) -> List[dict]:
    """Parse a ShanghaiTech weakly supervised split list.

    Lines are ``name,label`` (``SH_Train_new.txt``) or
    ``name,label,num_frames`` (``SH_Test_NEW.txt``), with ``label`` 1 for an
    anomalous and 0 for a normal video. ``num_frames`` is ``-1`` where the
    frame count comes from the video's frame mask (anomalous test videos).

    Args:
        path (str): The split file.

    Returns:
        list[dict]: ``dict(video=str, is_anomaly=bool, num_frames=int |
        None)`` per line, in file order.
    """
    entries: List[dict] = []
    seen: Dict[str, int] = {}
    for lineno, line in iter_lines(path):
        tokens = [t.strip() for t in line.strip().split(',')]
        if len(tokens) not in (2, 3) or not tokens[0]:
            raise AnnotationError(
                path, lineno, 'expected "name,label[,num_frames]"', line
            )
        label = to_int(path, lineno, line, tokens[1], 'label')
        if label not in (0, 1):
            raise AnnotationError(
                path, lineno, f'label must be 0 or 1, got {label}', line
            )
        num_frames = None
        if len(tokens) == 3:
            num_frames = to_int(path, lineno, line, tokens[2], 'frame count')
            if num_frames == -1:
                num_frames = None
            elif num_frames <= 0:
                raise AnnotationError(
                    path,
                    lineno,
                    f'frame count must be positive or -1, got {num_frames}',
                    line,
                )
        video = video_id_of(path, lineno, line, tokens[0])
        first_occurrence(seen, video, path, lineno, line)
        entries.append(
            dict(video=video, is_anomaly=bool(label), num_frames=num_frames)
        )
    return entries


def load_shanghaitech_masks(
    mask_dir: str, videos: Optional[Sequence[str]] = None
) -> Dict[str, np.ndarray]:
    """Load ShanghaiTech frame masks (``test_frame_mask/<video>.npy``).

    Args:
        mask_dir (str): Directory of per-video ``.npy`` masks, each of shape
            ``(num_frames,)`` with 1 on anomalous frames.
        videos (Sequence[str], optional): Load only these videos (a missing
            one is an error). Defaults to every ``.npy`` file in the folder.

    Returns:
        dict[str, np.ndarray]: Video id to a ``uint8`` array of shape
        ``(num_frames,)`` with values in {0, 1}, sorted by video id.
    """
    if not osp.isdir(mask_dir):
        raise FileNotFoundError(f'mask directory not found: {mask_dir}')
    if videos is None:
        files = sorted(glob.glob(osp.join(mask_dir, '*.npy')))
        videos = [osp.splitext(osp.basename(f))[0] for f in files]
    masks: Dict[str, np.ndarray] = {}
    for video in sorted(videos):
        file = osp.join(mask_dir, f'{video}.npy')
        if not osp.isfile(file):
            raise FileNotFoundError(
                f'frame mask of video {video!r} not found: {file}'
            )
        masks[video] = _load_mask(file)
    return masks


def _load_mask(file: str) -> np.ndarray:
    """One frame mask as ``uint8`` ``(num_frames,)``, or an
    :class:`AnnotationError` naming the file."""
    try:
        mask = np.load(file, allow_pickle=False)
    except (ValueError, TypeError, OSError, EOFError, BadZipFile) as e:
        # not a .npy file, a truncated one, or one that needs pickle
        raise AnnotationError(
            file, None, f'not a readable .npy frame mask ({e})'
        ) from None
    if not isinstance(mask, np.ndarray):
        mask.close()
        raise AnnotationError(
            file, None, 'expected a .npy frame mask, got an .npz archive'
        )
    ok = (
        mask.ndim == 1
        and mask.size > 0
        and (mask.dtype.kind in 'biuf')
        and np.isin(mask, (0, 1)).all()
    )
    if not ok:
        values = (
            np.unique(mask)[:5].tolist() if mask.dtype.kind in 'biuf' else []
        )
        raise AnnotationError(
            file,
            None,
            f'expected a non-empty 1-d 0/1 frame mask, got shape '
            f'{mask.shape}, dtype {mask.dtype} with values {values}',
        )
    return mask.astype(np.uint8)
