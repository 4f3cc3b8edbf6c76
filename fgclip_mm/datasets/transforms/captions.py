"""Rewrite the spatial words of a caption when its frames are flipped.

A horizontal flip turns "a man on the left side" into a picture of "a man on
the right side". A plain word swap is wrong for captions: in the 1559
UCF-Crime FG-CLIP training captions every one of the 12 occurrences of
"left" is the verb ("stole goods, and left."). The default maps therefore
swap ``left``/``right`` only in spatial phrases: after an article or a
possessive ("the left", "his right"), after a turning verb ("turned left"),
before a side or body-part noun ("left side", "right-hand", "left lane"), and
in "leftmost"/"leftward(s)". Any map of phrases can be passed instead.
"""

import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

#: Words before ``left``/``right`` (``top``/``bottom``) that make it spatial.
_BEFORE = (
    'the',
    'his',
    'her',
    'their',
    'its',
    'my',
    'your',
    'our',
    'turn',
    'turns',
    'turned',
    'turning',
    'veer',
    'veers',
    'veered',
    'veering',
    'swerve',
    'swerves',
    'swerved',
    'swerving',
    'looked',
    'looks',
    'looking',
    'glanced',
    'far',
)
#: Words after them that make them spatial.
_AFTER = (
    'side',
    'sides',
    'hand',
    'hands',
    'arm',
    'arms',
    'leg',
    'legs',
    'foot',
    'feet',
    'shoulder',
    'shoulders',
    'eye',
    'ear',
    'lane',
    'lanes',
    'corner',
    'corners',
    'edge',
    'half',
    'wing',
    'turn',
    'part',
    'wall',
    'door',
    'window',
    'exit',
    'entrance',
    'sidewalk',
)


def spatial_pairs(first: str, second: str) -> Dict[str, str]:
    """Phrases that use ``first``/``second`` spatially, each mapped to its
    mirror (both directions).

    Args:
        first (str): A direction word, e.g. ``'left'``.
        second (str): Its mirror, e.g. ``'right'``.

    Returns:
        dict[str, str]: Phrase to mirrored phrase, e.g.
        ``{'the left': 'the right', 'left side': 'right side', ...}``.
    """
    pairs = {}
    for a, b in ((first, second), (second, first)):
        for word in _BEFORE:
            pairs[f'{word} {a}'] = f'{word} {b}'
        for word in _AFTER:
            pairs[f'{a} {word}'] = f'{b} {word}'
        for suffix in ('most', 'ward', 'wards'):
            pairs[a + suffix] = b + suffix
    return pairs


#: Default of :class:`FlipWithBoxes` for horizontal flips.
HORIZONTAL_CAPTION_FLIP_MAP = dict(
    spatial_pairs('left', 'right'),
    **{
        f'{v} {h}': f'{v} {m}'
        for v in ('top', 'bottom', 'upper', 'lower')
        for h, m in (('left', 'right'), ('right', 'left'))
    },
)
#: Default of :class:`FlipWithBoxes` for vertical flips.
VERTICAL_CAPTION_FLIP_MAP = dict(
    spatial_pairs('top', 'bottom'),
    upper='lower',
    lower='upper',
    above='below',
    below='above',
    **{
        f'{v} {h}': f'{m} {h}'
        for v, m in (('top', 'bottom'), ('bottom', 'top'))
        for h in ('left', 'right')
    },
)


def _match_case(word: str, like: str) -> str:
    """``word`` written in the case pattern of ``like``."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


class CaptionFlipper:
    """Replace phrases by their mirrors, all at once (a replaced phrase is
    not replaced again), on whole words, ignoring case but keeping it: each
    word of the replacement takes the case of the word it replaces, and
    the separators (spaces, hyphens) of the caption are kept.

    Args:
        flip_map (dict[str, str]): Phrase to replacement; both must have the
            same number of words (``'left side'`` matches "left side",
            "left-side" and "Left  side").
    """

    def __init__(self, flip_map: Dict[str, str]) -> None:
        self.flip_map: Dict[Tuple[str, ...], List[str]] = {}
        for src, dst in flip_map.items():
            src_words, dst_words = src.lower().split(), dst.split()
            if not src_words or len(src_words) != len(dst_words):
                raise ValueError(
                    f'caption flip map entry {src!r} -> {dst!r}: both sides '
                    'need the same (non-zero) number of words'
                )
            self.flip_map[tuple(src_words)] = dst_words
        self.pattern = self._compile(self.flip_map)

    @staticmethod
    def _compile(keys: Iterable[Tuple[str, ...]]) -> Optional[re.Pattern]:
        alternatives = [
            r'[\s-]+'.join(re.escape(w) for w in words)
            for words in sorted(keys, key=lambda k: -len(' '.join(k)))
        ]
        if not alternatives:
            return None
        return re.compile(
            r'\b(?:' + '|'.join(alternatives) + r')\b', re.IGNORECASE
        )

    def _replace(self, match: re.Match) -> str:
        parts = re.split(r'([\s-]+)', match.group(0))
        words, seps = parts[0::2], parts[1::2] + ['']
        dst = self.flip_map[tuple(w.lower() for w in words)]
        return ''.join(
            _match_case(new, old) + sep
            for new, old, sep in zip(dst, words, seps)
        )

    def __call__(self, caption: Optional[str]) -> Optional[str]:
        """The mirrored caption (``None`` and ``''`` pass through)."""
        if not caption or self.pattern is None:
            return caption
        return self.pattern.sub(self._replace, caption)

    def flip_all(self, captions: Sequence[str]) -> List[str]:
        """:meth:`__call__` on each caption of a list."""
        return [self(c) for c in captions]
