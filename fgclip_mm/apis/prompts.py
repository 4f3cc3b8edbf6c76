"""User prompts at inference time (open vocabulary, no retraining)."""

from typing import List, Optional, Sequence

PROMPT_MODES = ('extend', 'replace')


def set_prompts(
    model, prompts: Optional[Sequence[str]] = None, mode: str = 'extend'
) -> List[str]:
    """Score against the config's classes plus, or instead of, user prompts.

    Each user prompt becomes one anomaly class (its own sentence, its name).
    The config's normal class stays first. Calling again with the same
    prompts keeps the cached prompt embeddings (the text encoder is not run
    again); other prompts clear the cache. ``prompts=None`` restores the
    config's classes.

    Args:
        model: a recognizer with a ``PromptAnomalyScorer`` (``model.scorer``).
        prompts (Sequence[str], optional): Anomaly descriptions, e.g.
            ``'a person climbing a fence'``.
        mode (str): ``'extend'`` (config classes + prompts) or
            ``'replace'`` (normal class + prompts).

    Returns:
        list[str]: The class names scored, normal first.
    """
    if mode not in PROMPT_MODES:
        raise ValueError(f'mode must be one of {PROMPT_MODES}, got {mode!r}')
    scorer = getattr(model, 'scorer', None)
    if scorer is None:
        raise ValueError('the model has no prompt scorer (model.scorer)')
    if not hasattr(scorer, '_config_classes'):
        scorer._config_classes = (
            list(scorer.class_names),
            [list(s) for s in scorer.sentences],
        )
    names, sentences = scorer._config_classes
    names, sentences = list(names), [list(s) for s in sentences]
    prompts = [p.strip() for p in (prompts or []) if p.strip()]
    if prompts and mode == 'replace':
        names, sentences = names[:1], sentences[:1]
    for prompt in prompts:
        if prompt not in names:
            names.append(prompt)
            sentences.append([prompt])
    if len(names) < 2:
        raise ValueError('need at least one anomaly class or prompt')
    if names != scorer.class_names or sentences != scorer.sentences:
        scorer.class_names, scorer.sentences = names, sentences
        scorer.clear_cache()
    return names
