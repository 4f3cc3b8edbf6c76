# Ablation D of the seed plan on the demo data: regions without annotated
# boxes (the normal videos' region) take the per-frame person boxes of a
# simulated detector from data/demo/pseudo_boxes.json (written by
# tools/data/make_demo_dataset.py) instead of the virtual box + mask of
# fgclip_demo.py; annotated regions are handled exactly as there.
_base_ = ['../fgclip_demo.py']

# pipeline[3]: GenerateRegionBoxes -> GeneratePseudoRegionBoxes (a subclass
# with the same arguments plus the file). mmengine merges no list element:
# edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.dataset.pipeline[3].type = 'GeneratePseudoRegionBoxes'
train_dataloader.dataset.dataset.pipeline[
    3
].pseudo_file = '{{$FGCLIP_DEMO_ROOT:data/demo}}/pseudo_boxes.json'
