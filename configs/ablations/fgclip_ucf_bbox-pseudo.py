# Ablation D of the seed plan on UCF-Crime: regions without annotated boxes
# (the normal videos' region) get a detector's per-frame person boxes from a
# file (fgclip_ucf.py: the virtual box + mask). Annotated regions are
# treated exactly as in fgclip_ucf.py. Write the file with
# tools/data/convert_detections.py (docs/data_preparation.md).
_base_ = ['../fgclip_ucf.py']

# pipeline[3]: GenerateRegionBoxes -> GeneratePseudoRegionBoxes (a subclass
# with the same arguments plus the file). mmengine merges no list element:
# edit the inherited loader's pipeline.
train_dataloader = _base_.train_dataloader
train_dataloader.dataset.pipeline[3].type = 'GeneratePseudoRegionBoxes'
train_dataloader.dataset.pipeline[
    3
].pseudo_file = '{{$FGCLIP_UCF_ROOT:data/ucf_crime}}/pseudo_boxes.json'
