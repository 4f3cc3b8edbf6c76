# Epoch-based schedule of the snippet-feature baselines: one pass over the
# training bags per epoch, no validation split (the test set is never used to
# pick checkpoints; configs also set val_dataloader/val_evaluator = None).
# The optimiser comes from each model base (`paper_optim_wrapper`).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=30)
val_cfg = None
test_cfg = dict(type='TestLoop')
param_scheduler = []
