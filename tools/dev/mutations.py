"""Named mutations for ``tools/dev/mutate.py``.

Each entry: ``name``; ``file`` (relative to the repository root);
``original``, an exact snippet that occurs once in the file; ``replacement``;
``tests``, the pytest arguments of the tests that must catch it (the whole
fast suite when absent); ``note``: what the bug would mean. The first entries
are the holes found in issue 14; add entries with each new component (a
one-line change that a correct test of the behaviour must notice).
"""

_BACKBONE = 'fgclip_mm/models/backbones/open_clip_backbone.py'
_BOXES = 'fgclip_mm/datasets/transforms/boxes.py'
_CAPTIONS = 'fgclip_mm/datasets/transforms/captions.py'
_LOADING = 'fgclip_mm/datasets/transforms/loading.py'
_LOSS = 'fgclip_mm/models/losses/dual_contrastive_loss.py'
_PROCESSING = 'fgclip_mm/datasets/transforms/processing.py'
_RECOGNIZER = 'fgclip_mm/models/recognizers/fgclip_recognizer.py'
_REGION = 'fgclip_mm/models/heads/region_head.py'
_SCALES = 'fgclip_mm/models/utils/logit_scales.py'
_SCORER = 'fgclip_mm/models/heads/prompt_anomaly_scorer.py'
_T_BACKBONE = 'tests/models/backbones/test_open_clip_backbone.py'
_T_BOXES = 'tests/datasets/transforms/test_boxes.py'
_T_CORRUPT = 'tests/datasets/test_corrupt_videos.py'
_T_LOADING = 'tests/datasets/transforms/test_loading.py'
_T_LOSS = 'tests/models/losses/test_dual_contrastive_loss.py'
_T_PROCESSING = 'tests/datasets/transforms/test_processing.py'
_T_RECOGNIZER = 'tests/models/recognizers/test_fgclip_recognizer.py'
_T_REGION = 'tests/models/heads/test_region_head.py'
_T_SCALES = 'tests/models/utils/test_logit_scales.py'
_T_SCORER = 'tests/models/heads/test_prompt_anomaly_scorer.py'
_T_SKIP_HOOK = 'tests/engine/hooks/test_skipped_samples_hook.py'
_T_VAD = 'tests/evaluation/metrics/test_vad_metric.py'
_T_VIDEO_IO = 'tests/datasets/test_video_io.py'
_VAD = 'fgclip_mm/evaluation/metrics/vad_metric.py'
_VIDEO_IO = 'fgclip_mm/datasets/video_io.py'

MUTATIONS = [
    # --------------------------- issue 14: the holes found by injecting bugs
    dict(
        name='ucf-config-drops-exclude-file',
        file='configs/_base_/datasets/ucf_crime.py',
        original="        exclude_file=f'{data_root}/Temporal_Anomaly_An"
        "notation_for_Testing_Videos.txt',\n",
        replacement='',
        tests=['tests/configs/test_configs.py'],
        note='test videos leak into UCF-Crime training',
    ),
    dict(
        name='decode-skip-reraises',
        file=_LOADING,
        original='            return _fail(self.on_error, message, e, results)\n'
        '        finally:',
        replacement='            raise\n        finally:',
        tests=[_T_LOADING],
        note="DecodeSampledFrames(on_error='skip') raises on a corrupt file",
    ),
    dict(
        name='region-head-swap-box-xy',
        file=_REGION,
        original='scaled = boxes * scale',
        replacement='scaled = boxes[:, [1, 0, 3, 2]] * scale',
        tests=[_T_REGION],
        note='RoIAlign gets (y, x) boxes',
    ),
    dict(
        name='region-head-swap-wh-scale',
        file=_REGION,
        original='scale = boxes.new_tensor([w, h, w, h])',
        replacement='scale = boxes.new_tensor([h, w, h, w])',
        tests=[_T_REGION],
        note='boxes scaled by the wrong side of a non-square grid',
    ),
    dict(
        name='region-head-frame-index-wrong-axis',
        file=_REGION,
        original='frame_index = valid[:, 0] * t + valid[:, 1]',
        replacement='frame_index = valid[:, 1] * b + valid[:, 0]',
        tests=[_T_REGION],
        note="training boxes pooled from another item's / frame's map",
    ),
    dict(
        name='fixed-box-pooling-wrong-layout',
        file='fgclip_mm/models/utils/box_pooling.py',
        original='dense.reshape(f, d, h * w).mT',
        replacement='dense.reshape(f, h * w, d)',
        tests=[_T_REGION, 'tests/models/utils/test_box_pooling.py'],
        note='test-time boxes pooled from scrambled channels',
    ),
    dict(
        name='fixed-box-weights-cache-ignores-boxes',
        file=_REGION,
        original='key = (boxes_key, h, w,',
        replacement='key = (h, w,',
        tests=[_T_REGION],
        note="new scoring boxes reuse the previous boxes' weights",
    ),
    dict(
        name='scorer-region-sign-flip',
        file=_SCORER,
        original='region_score = self.reduce_regions(1.0 - '
        'region_probs[..., 0])',
        replacement='region_score = self.reduce_regions(region_probs[..., 0])',
        tests=[_T_SCORER],
        note='regional score = p(normal) instead of 1 - p(normal)',
    ),
    dict(
        name='scorer-region-max-to-min',
        file=_SCORER,
        original='return region_scores.max(dim=-1).values',
        replacement='return region_scores.min(dim=-1).values',
        tests=[_T_SCORER],
        note='the least anomalous box scores the frame',
    ),
    dict(
        name='logit-scales-swapped-slots',
        file=_SCALES,
        original="return self.scale('global'), self.scale('region')",
        replacement="return self.scale('region'), self.scale('global')",
        tests=[_T_SCALES],
        note='LogitScales returns (region, global)',
    ),
    dict(
        name='recognizer-loss-scales-swapped',
        file=_RECOGNIZER,
        original='global_scale, region_scale = self.logit_scales()',
        replacement='region_scale, global_scale = self.logit_scales()',
        tests=[_T_RECOGNIZER],
        note='the recognizer passes the scales to the loss in swapped slots',
    ),
    dict(
        name='loss-global-weight-ignored',
        file=_LOSS,
        original="losses['loss_global'] = self.global_weight * raw",
        replacement="losses['loss_global'] = raw",
        tests=[_T_LOSS],
        note='DualContrastiveLoss(global_weight=w) has no effect',
    ),
    dict(
        name='epoch-seed-ignores-epoch',
        file='fgclip_mm/engine/hooks/epoch_seed_hook.py',
        original='value = epoch_seed(base, runner.epoch, get_rank())',
        replacement='value = epoch_seed(base, 0, get_rank())',
        tests=['tests/engine/hooks/test_epoch_seed_hook.py'],
        note='every epoch draws the same augmentations',
    ),
    dict(
        name='vad-ignores-recall-for-far',
        file=_VAD,
        original='labels, scores, normal, self.recall_for_far',
        replacement='labels, scores, normal, 0.95',
        tests=[_T_VAD],
        note='FAR@90 reports FAR@95 under the name FAR@90',
    ),
    dict(
        name='vad-ignores-far-threshold',
        file=_VAD,
        original="metrics['FAR'] = far_at_threshold(scores[normal], "
        'self.far_threshold)',
        replacement="metrics['FAR'] = far_at_threshold(scores[normal], 0.5)",
        tests=[_T_VAD],
        note='VADMetric(far_threshold=t) has no effect',
    ),
    dict(
        name='vad-ignores-score-interp',
        file=_VAD,
        original='                self.score_interp,\n',
        replacement="                'linear',\n",
        tests=[_T_VAD],
        note="VADMetric(score_interp='nearest') interpolates linearly",
    ),
    dict(
        name='boxes-tolerance-not-converted-to-frames',
        file=_BOXES,
        original="tolerance = self.keyframe_tolerance * float(results['fps'])",
        replacement='tolerance = self.keyframe_tolerance',
        tests=[_T_BOXES],
        note='keyframe_tolerance (seconds) used as a number of frames',
    ),
    dict(
        name='boxes-pseudo-masks-outside-tolerance',
        file=_BOXES,
        original='keyframes, frame_inds, np.inf',
        replacement='keyframes, frame_inds, tolerance',
        tests=[_T_BOXES],
        note="'pseudo' zeroes boxes it calls valid far from the keyframes",
    ),
    dict(
        name='boxes-virtual-box-for-anomalous-regions',
        file=_BOXES,
        original="if self.strategy == 'virtual_mask' and is_normal:",
        replacement="if self.strategy == 'virtual_mask':",
        tests=[_T_BOXES],
        note='an anomalous region without keyframes gets the whole frame',
    ),
    # ------------------------------------------ H1: models (issues 8 and 14)
    dict(
        name='region-head-frame-index-ignores-batch',
        file=_REGION,
        original='frame_index = valid[:, 0] * t + valid[:, 1]',
        replacement='frame_index = valid[:, 1]',
        tests=[_T_REGION],
        note='every batch item pools from item 0',
    ),
    dict(
        name='region-head-adapter-hidden-ignored',
        file=_REGION,
        original='hidden = adapter_hidden or 2 * embed_dims',
        replacement='hidden = 2 * embed_dims',
        tests=[_T_REGION],
        note='RoIRegionHead(adapter_hidden=n) has no effect',
    ),
    dict(
        name='scorer-topk-smallest',
        file=_SCORER,
        original='return region_scores.topk(k, dim=-1).values.mean(dim=-1)',
        replacement='return region_scores.topk(k, dim=-1, '
        'largest=False).values.mean(dim=-1)',
        tests=[_T_SCORER],
        note="region_reduce='topk' averages the k least anomalous boxes",
    ),
    dict(
        name='scorer-region-uses-global-scale',
        file=_SCORER,
        original='region_probs = self.class_probs(region_emb, prompts, '
        'region_scale)',
        replacement='region_probs = self.class_probs(region_emb, prompts, '
        'global_scale)',
        tests=[_T_SCORER],
        note='regional softmax at the global temperature',
    ),
    dict(
        name='scorer-alpha-weights-swapped',
        file=_SCORER,
        original='score = self.alpha * score + (1 - self.alpha) * '
        'region_score',
        replacement='score = (1 - self.alpha) * score + self.alpha * '
        'region_score',
        tests=[_T_SCORER],
        note='alpha weights the regional term instead of the global one',
    ),
    dict(
        name='loss-global-uses-region-scale',
        file=_LOSS,
        original='raw = self.global_loss(video, video_text, video_ids, '
        'global_scale)',
        replacement='raw = self.global_loss(video, video_text, video_ids, '
        'region_scale)',
        tests=[_T_LOSS],
        note='the global InfoNCE uses the regional temperature',
    ),
    dict(
        name='recognizer-scorer-global-gets-region-scale',
        file=_RECOGNIZER,
        original='scales = [s.detach() for s in self.logit_scales()]',
        replacement='scales = [s.detach() for s in self.logit_scales()][::-1]',
        tests=[_T_RECOGNIZER],
        note='test-time scorer gets the scales in swapped slots',
    ),
    dict(
        name='recognizer-old-checkpoint-slots-swapped',
        file=_RECOGNIZER,
        original='state_dict.setdefault(prefix + key, old[index].clone())',
        replacement='state_dict.setdefault(prefix + key, old[1 - '
        'index].clone())',
        tests=[_T_RECOGNIZER],
        note='old checkpoints load global/region log-scales swapped',
    ),
    dict(
        name='recognizer-old-checkpoint-not-remapped',
        file=_RECOGNIZER,
        original='remap_old_scale_keys(state_dict, prefix)',
        replacement='pass',
        tests=[_T_RECOGNIZER],
        note='old checkpoints (loss_module.log_scales) no longer load',
    ),
    dict(
        name='backbone-patch-dropout-not-refused',
        file=_BACKBONE,
        original='if not frozen and patch_dropout_prob(self.clip.visual) > 0:',
        replacement='if False:',
        tests=[_T_BACKBONE],
        note='OpenCLIPBackbone(frozen=False) accepts patch dropout',
    ),
    dict(
        name='dense-patch-dropout-not-refused',
        file='fgclip_mm/models/backbones/open_clip_internals.py',
        original='if prob > 0 and visual.training:',
        replacement='if False:',
        tests=['tests/models/backbones/test_open_clip_internals.py'],
        note='dense reshape fails obscurely when patches are dropped',
    ),
    # ----------------------- H3: transforms, video reading (issues 8 and 14)
    dict(
        name='flip-leaves-captions',
        file=_PROCESSING,
        original='        self._flip_captions(results)\n',
        replacement='',
        tests=[_T_PROCESSING],
        note='"on the left" stays after a horizontal flip (issue 8)',
    ),
    dict(
        name='flip-swaps-every-left',
        file=_CAPTIONS,
        original='HORIZONTAL_CAPTION_FLIP_MAP = dict(\n    '
        "spatial_pairs('left', 'right'),",
        replacement='HORIZONTAL_CAPTION_FLIP_MAP = dict(\n    '
        "left='right', right='left',",
        tests=[_T_PROCESSING],
        note='"then left." becomes "then right." (all 12 real uses of '
        '"left" are the verb)',
    ),
    dict(
        name='flip-caption-case-lost',
        file=_CAPTIONS,
        original='    if like[:1].isupper():\n        return '
        'word[:1].upper() + word[1:]\n',
        replacement='',
        tests=[_T_PROCESSING],
        note='"Right-Hand" becomes "left-Hand"',
    ),
    dict(
        name='flip-vertical-uses-horizontal-map',
        file=_PROCESSING,
        original="                HORIZONTAL_CAPTION_FLIP_MAP\n                if direction == 'horizontal'\n                else VERTICAL_CAPTION_FLIP_MAP\n",
        replacement='                HORIZONTAL_CAPTION_FLIP_MAP\n',
        tests=[_T_PROCESSING],
        note='a vertical flip turns "left" into "right"',
    ),
    dict(
        name='pyav-ignores-seek-gap',
        file='fgclip_mm/datasets/pyav_reader.py',
        original='if target - idx > self.seek_gap:',
        replacement='if False:',
        tests=[_T_VIDEO_IO],
        note='PyAV decodes through any gap instead of seeking',
    ),
    dict(
        name='frame-count-cache-ignored',
        file=_VIDEO_IO,
        original='    if key not in _FRAME_COUNT_CACHE:',
        replacement='    if True:',
        tests=[_T_VIDEO_IO],
        note='every get_num_frames call opens the video again',
    ),
    dict(
        name='sampling-ignores-keyframe-ratio',
        file='fgclip_mm/datasets/transforms/sampling.py',
        original='int(round(self.keyframe_ratio * self.clip_len)),',
        replacement='int(round(0.25 * self.clip_len)),',
        tests=[_T_LOADING],
        note='anomalous clips hold a fixed share of real keyframes',
    ),
    # ---------------------------- H2: configs, tools/train.py, EpochSeedHook
    dict(
        name='ablation-changes-a-second-field',
        file='configs/ablations/fgclip_demo_bbox-drop.py',
        original='train_dataloader.dataset.dataset.pipeline[3].strategy = '
        "'drop'\n",
        replacement='train_dataloader.dataset.dataset.pipeline[3].strate'
        "gy = 'drop'\ntrain_dataloader.batch_size = 4\n",
        tests=['tests/configs/test_configs.py'],
        note='an ablation changes more than its one field',
    ),
    dict(
        name='ablation-edits-the-wrong-transform',
        file='configs/ablations/fgclip_demo_sampling-full-video.py',
        original="pipeline[1].strategy = 'full_video'",
        replacement="pipeline[3].strategy = 'full_video'",
        tests=['tests/configs/test_configs.py'],
        note='the sampling ablation edits the box transform',
    ),
    dict(
        name='sht-base-inherits-xd',
        file='configs/_base_/datasets/shanghaitech.py',
        original="_base_ = ['./video_level_labels.py']",
        replacement="_base_ = ['./xd_violence.py']",
        tests=['tests/configs/test_configs.py'],
        note='the ShanghaiTech base inherits XD-Violence',
    ),
    dict(
        name='model-base-hard-codes-prompts',
        file='configs/_base_/models/fgclip_vit-b16.py',
        original="        type='PromptAnomalyScorer',\n        alpha=0.5,",
        replacement="        type='PromptAnomalyScorer',\n        classes=['normal activity', 'abuse'],\n        alpha=0.5,",
        tests=['tests/configs/test_configs.py'],
        note='the model base carries UCF-Crime prompts',
    ),
    dict(
        name='tiny-model-base-four-levels',
        file='configs/_base_/models/fgclip_tiny.py',
        original=['# A tiny ViT CLIP (64x64 input', '        arch=dict(\n'],
        replacement=[
            "_base_ = ['./fgclip_vit-b16.py']\n# A tiny ViT CLIP (64x64 input",
            '        arch=dict(\n            _delete_=True,\n',
        ],
        tests=['tests/configs/test_configs.py'],
        note='configs four levels deep again',
    ),
    dict(
        name='train-ignores-deterministic',
        file='tools/train.py',
        original='    merge_randomness(cfg, args)\n    if args.cfg_options',
        replacement="    if cfg.get('randomness', None) is None:\n        "
        'cfg.randomness = dict(seed=args.seed, '
        'diff_rank_seed=args.diff_rank_seed, '
        'deterministic=args.deterministic)\n    elif '
        'args.seed is not None:\n        cfg.randomness.seed '
        '= args.seed\n    if args.cfg_options',
        tests=['tests/tools/test_train.py'],
        note='tools/train.py ignores --deterministic / --diff-rank-seed '
        '(issue 8)',
    ),
    dict(
        name='epoch-seed-skips-numpy',
        file='fgclip_mm/engine/hooks/epoch_seed_hook.py',
        original='        np.random.seed(value)\n',
        replacement='',
        tests=['tests/engine/hooks/test_epoch_seed_hook.py'],
        note='EpochSeedHook does not reseed numpy',
    ),
    dict(
        name='epoch-seed-skips-torch',
        file='fgclip_mm/engine/hooks/epoch_seed_hook.py',
        original='        torch.manual_seed(value)',
        replacement='        pass',
        tests=['tests/engine/hooks/test_epoch_seed_hook.py'],
        note='EpochSeedHook does not reseed torch',
    ),
    dict(
        name='epoch-seed-skips-random',
        file='fgclip_mm/engine/hooks/epoch_seed_hook.py',
        original='        random.seed(value)\n',
        replacement='',
        tests=['tests/engine/hooks/test_epoch_seed_hook.py'],
        note='EpochSeedHook does not reseed random',
    ),
    dict(
        name='epoch-seed-ignores-rank',
        file='fgclip_mm/engine/hooks/epoch_seed_hook.py',
        original='epoch_seed(base, runner.epoch, get_rank())',
        replacement='epoch_seed(base, runner.epoch, 0)',
        tests=['tests/engine/hooks/test_epoch_seed_hook.py'],
        note='every rank draws the same numbers',
    ),
    dict(
        name='epoch-seed-ignores-hook-seed',
        file='fgclip_mm/engine/hooks/epoch_seed_hook.py',
        original='base = self.seed if self.seed is not None else runner.seed',
        replacement='base = runner.seed',
        tests=['tests/engine/hooks/test_epoch_seed_hook.py'],
        note='EpochSeedHook(seed=s) has no effect',
    ),
    dict(
        name='demo-training-lr-zero',
        file='configs/fgclip_demo.py',
        original='optim_wrapper = dict(optimizer=dict(lr=1e-3, '
        'weight_decay=0.01))',
        replacement='optim_wrapper = dict(optimizer=dict(lr=0.0, '
        'weight_decay=0.01))',
        tests=['tests/engine/test_demo_training.py'],
        slow=True,
        note='training does not learn (AUC stays at the untrained one)',
    ),
    dict(
        name='train-drops-diff-rank-seed',
        file='tools/train.py',
        original='    if args.diff_rank_seed:\n        '
        "randomness['diff_rank_seed'] = True\n",
        replacement='',
        tests=['tests/tools/test_train.py'],
        note='tools/train.py ignores --diff-rank-seed only',
    ),
    dict(
        name='xd-scored-with-ucf-prompts',
        file='configs/_base_/datasets/xd_violence.py',
        original="        'normal activity',\n        'fighting',\n        'shooting',\n        'riot',\n        'abuse',\n        'car accident',\n        'explosion',\n",
        replacement="        'normal activity',\n        'abuse',\n        'arrest',\n        'arson',\n        'assault',\n        'burglary',\n        'explosion',\n        'fighting',\n        'road accident',\n        'robbery',\n        'shooting',\n        'shoplifting',\n        'stealing',\n        'vandalism',\n",
        tests=['tests/configs/test_configs.py'],
        note='XD-Violence scored with the UCF-Crime prompts',
    ),
    # --------------------------------------------------- H4: baseline losses
    dict(
        name='mil-hinge-sign-flipped',
        file='fgclip_mm/models/losses/mil_ranking_loss.py',
        original='hinge = self.margin - a_max[:, None] + n_max[None, :]',
        replacement='hinge = self.margin + a_max[:, None] - n_max[None, :]',
        tests=['tests/models/baselines/test_mil.py'],
        note='the MIL ranking hinge rewards normal bags',
    ),
    dict(
        name='rtfm-loss-sign',
        file='fgclip_mm/models/losses/rtfm_loss.py',
        original='return ((self.margin - a).abs() + n).pow(2).mean()',
        replacement='return ((self.margin - a).abs() - n).pow(2).mean()',
        tests=['tests/models/baselines/test_rtfm.py'],
        note='the RTFM feature-magnitude loss sign',
    ),
    dict(
        name='rtfm-norm-of-mean',
        file='fgclip_mm/models/losses/rtfm_loss.py',
        original='feats[i][:, j].mean(dim=1).norm(p=2, dim=-1)',
        replacement='feats[i][:, j].norm(p=2, dim=-1).mean(dim=1)',
        tests=['tests/models/baselines/test_rtfm.py'],
        note='RTFM: mean of norms instead of norm of the mean',
    ),
    dict(
        name='arnet-k-off-by-one',
        file='fgclip_mm/models/losses/arnet_loss.py',
        original='lambda n: n // self.k_div + 1',
        replacement='lambda n: n // self.k_div',
        tests=['tests/models/baselines/test_arnet.py'],
        note='AR-Net top-k one snippet short',
    ),
    dict(
        name='arnet-center-unbiased-var',
        file='fgclip_mm/models/losses/arnet_loss.py',
        original='centers.append(((s - s.mean()) ** 2).mean())',
        replacement='centers.append(s.var())',
        tests=['tests/models/baselines/test_arnet.py'],
        note='AR-Net centre loss with the unbiased variance',
    ),
    dict(
        name='vadclip-cts-no-abs',
        file='fgclip_mm/models/losses/vadclip_loss.py',
        original='loss_cts = (text[1:] @ text[0]).abs().mean()',
        replacement='loss_cts = (text[1:] @ text[0]).mean()',
        tests=['tests/models/baselines/test_vadclip.py'],
        note='VadCLIP text-separation loss without abs',
    ),
    # ------------------------------------- lead: sampler, optimiser, scorer
    dict(
        name='balanced-sampler-ignores-epoch',
        file='fgclip_mm/datasets/samplers/balanced_sampler.py',
        original='rng = np.random.default_rng([self.seed, self.epoch])',
        replacement='rng = np.random.default_rng([self.seed, 0])',
        tests=['tests/datasets/samplers/test_balanced_sampler.py'],
        note='every epoch draws the same batches',
    ),
    dict(
        name='balanced-sampler-ignores-ratio',
        file='fgclip_mm/datasets/samplers/balanced_sampler.py',
        original='self.num_anomalous = int(round(anomaly_ratio * batch_size))',
        replacement='self.num_anomalous = 1',
        tests=['tests/datasets/samplers/test_balanced_sampler.py'],
        note='anomaly_ratio has no effect',
    ),
    dict(
        name='schedule-decays-biases',
        file='configs/_base_/schedules/adamw_10e.py',
        original='bias_decay_mult=0.0,',
        replacement='bias_decay_mult=1.0,',
        tests=['tests/configs/test_schedules.py'],
        note='weight decay pulls biases to zero',
    ),
    dict(
        name='scorer-accepts-even-smoothing',
        file='fgclip_mm/models/heads/prompt_anomaly_scorer.py',
        original='if kernel < 1 or kernel % 2 == 0:',
        replacement='if kernel < 1:',
        tests=['tests/models/heads/test_prompt_anomaly_scorer.py'],
        note='an even kernel shortens the scores by a frame',
    ),
    dict(
        name='sampling-ignores-regions',
        file='fgclip_mm/datasets/transforms/sampling.py',
        original='for frames in regions[:num]:',
        replacement='for frames in regions[:0]:',
        tests=['tests/datasets/transforms/test_loading.py'],
        note='keyframes drawn from the union: a lonely region is left out',
    ),
    dict(
        name='boxes-interpolate-across-any-gap',
        file='fgclip_mm/datasets/transforms/boxes.py',
        original='return inside & far & (hi - lo > max_gap)',
        replacement='return inside & far & False',
        tests=['tests/datasets/transforms/test_boxes.py'],
        note='boxes invented across keyframes minutes apart',
    ),
    # ------------------------------------ issue 13: corrupt videos named
    dict(
        name='test-mode-skips',
        file=_LOADING,
        original="    if on_error == 'skip' and not results.get('test_mode'):",
        replacement="    if on_error == 'skip':",
        tests=[_T_CORRUPT],
        note='an unreadable test video is skipped: a test set with holes',
    ),
    dict(
        name='skip-not-attached',
        file='fgclip_mm/datasets/sample_skips.py',
        original='                if skipped:\n'
        '                    _attach(data, skipped)',
        replacement='                if False:\n'
        '                    _attach(data, skipped)',
        tests=[_T_CORRUPT, _T_SKIP_HOOK],
        note='skipped samples are not counted',
    ),
    dict(
        name='keyframe-overrun-unchecked',
        file=_LOADING,
        original='    if frames and max(frames) >= total + slack:',
        replacement='    if False:',
        tests=[_T_CORRUPT],
        note='a video shorter than its annotation trains on wrong frames',
    ),
    dict(
        name='pyav-ignores-rotation',
        file='fgclip_mm/datasets/pyav_reader.py',
        original='convert = frame_converter(size, turns)',
        replacement='convert = frame_converter(size, 0)',
        tests=[_T_CORRUPT],
        note='PyAV and decord disagree on a rotated video',
    ),
    dict(
        name='stream-ignores-rotation',
        file='fgclip_mm/datasets/video_stream.py',
        original='convert = frame_converter(size, turns)',
        replacement='convert = frame_converter(size, 0)',
        tests=['tests/datasets/test_video_stream.py'],
        note='tools/infer.py scores other frames than tools/test.py',
    ),
    dict(
        name='hook-ignores-other-ranks',
        file='fgclip_mm/engine/hooks/skipped_samples_hook.py',
        original='records = [r for part in all_gather_object(self._epoch) '
        'for r in part]',
        replacement='records = list(self._epoch)',
        tests=[_T_SKIP_HOOK],
        note='skips on other ranks are not counted',
    ),
    dict(
        name='annotated-count-unchecked',
        file=_LOADING,
        original='        if annotated is not None and int(annotated) > num + '
        'slack:',
        replacement='        if False:',
        tests=[_T_CORRUPT],
        note='a truncated test video is scored as if complete',
    ),
    # ------------------------------ issue 10: temporal scale and smoothing
    dict(
        name='metric-ignores-smooth-kernel',
        file=_VAD,
        original='                self.score_interp,\n'
        '                self.smooth_kernel,\n',
        replacement='                self.score_interp,\n                1,\n',
        tests=['tests/evaluation/metrics/test_vad_metric_smoothing.py'],
        note='VADMetric(smooth_kernel=k) scores unsmoothed curves',
    ),
    dict(
        name='stride-sampling-ignored-for-normal-entries',
        file='fgclip_mm/datasets/transforms/sampling.py',
        original='            start, stop = 0, total\n'
        "        if self.span_sampling == 'stride':",
        replacement='            start, stop = 0, total\n        if False:',
        tests=['tests/datasets/transforms/test_sampling.py'],
        note='normal clips span the whole segment, not the test stride',
    ),
    dict(
        name='region-adapter-after-the-mean',
        file=_REGION,
        original='        feats = self.adapt(feats)\n        n = mask.shape[2]',
        replacement='        n = mask.shape[2]',
        tests=[_T_REGION],
        note='the region adapter is skipped in training',
    ),
    # ------------- session 4: process group freed before finalisation
    dict(
        name='exit-handler-does-not-collect',
        file='fgclip_mm/compat/cpu_distributed.py',
        original='    # its threads) alive until the cycles are collected\n'
        '    gc.collect()',
        replacement='    # its threads) alive until the cycles are collected\n'
        '    pass',
        tests=['tests/test_compat.py'],
        note="gloo's threads live into interpreter finalisation (SIGABRT)",
    ),
    dict(
        name='shutdown-does-not-collect',
        file='fgclip_mm/engine/distributed.py',
        original='        release_process_group()',
        replacement='        torch_dist.destroy_process_group()',
        tests=['tests/test_compat.py'],
        note='a finished run leaves the backend threads running',
    ),
    dict(
        name='init-report-not-silenced',
        file='fgclip_mm/apis/inference.py',
        original='    logger.setLevel(max(level, logging.WARNING))',
        replacement='    pass',
        tests=['tests/apis/test_inference.py'],
        note='init_vad_model logs two lines per parameter',
    ),
]
