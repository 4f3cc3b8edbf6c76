# Frozen vs fine-tuned CLIP on UCF-Crime: both CLIP towers trained with the
# adapters (fgclip_ucf.py: CLIP frozen, adapters trained).
_base_ = ['../fgclip_ucf.py']

model = dict(backbone=dict(frozen=False, freeze_text=False))
