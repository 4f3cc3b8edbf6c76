# `make demo` and `make test` set everything up on a fresh machine by themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.fgclip_mm-installed
DEMO_DATA ?= data/demo
DEMO_WORK ?= work_dirs/fgclip_demo
PYTEST_ARGS ?=

.PHONY: setup test test-fast lint format demo demo-data demo-baselines \
	demo-ablations clean

$(STAMP): requirements.txt requirements-test.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade -r requirements-test.txt
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

test: setup
	$(PY) -m pytest tests $(PYTEST_ARGS)

# Lint and format as the OpenMMLab projects (flake8 + isort + single quotes),
# with ruff (ruff.toml). CI runs `make lint` before the tests.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Skips the end-to-end runs marked `slow`.
test-fast: setup
	$(PY) -m pytest tests -m "not slow" $(PYTEST_ARGS)

demo-data: setup
	$(PY) tools/data/make_demo_dataset.py --out $(DEMO_DATA) --seed 0

# Untrained model (chance level) -> train -> test the trained model.
demo: demo-data
	$(PY) tools/test.py configs/fgclip_demo.py none --work-dir $(DEMO_WORK)/untrained
	$(PY) tools/train.py configs/fgclip_demo.py --work-dir $(DEMO_WORK)
	$(PY) tools/test.py configs/fgclip_demo.py "$$(cat $(DEMO_WORK)/last_checkpoint)" \
		--work-dir $(DEMO_WORK) --dump $(DEMO_WORK)/results.npz

# Every snippet-feature baseline next to FG-CLIP on the demo data: cache the
# trained demo CLIP's snippet features, train and test each baseline, and
# print one comparison table (docs/baselines.md).
BASELINES ?= mil rtfm arnet vadclip
BASELINE_WORK ?= work_dirs/baselines
demo-baselines: demo
	$(PY) tools/export_clip_weights.py "$$(cat $(DEMO_WORK)/last_checkpoint)" \
		$(DEMO_DATA)/clip.pt
	$(PY) tools/extract_features.py configs/fgclip_demo.py --split all \
		--checkpoint "$$(cat $(DEMO_WORK)/last_checkpoint)" \
		--out $(DEMO_DATA)/clip_features --snippet-length 4
	for m in $(BASELINES); do \
		cfg=$$(ls configs/baselines/$${m}_*_demo.py) && \
		$(PY) tools/train.py $$cfg --work-dir $(BASELINE_WORK)/$$m && \
		$(PY) tools/test.py $$cfg "$$(cat $(BASELINE_WORK)/$$m/last_checkpoint)" \
			--work-dir $(BASELINE_WORK)/$$m \
			--dump $(BASELINE_WORK)/$$m/results.npz || exit 1; \
	done
	$(PY) tools/test.py configs/baselines/zeroshot-clip_tiny-clip-feat_demo.py none \
		--work-dir $(BASELINE_WORK)/zeroshot-clip \
		--dump $(BASELINE_WORK)/zeroshot-clip/results.npz
	$(PY) tools/analysis/compare.py $(DEMO_WORK) \
		$(addprefix $(BASELINE_WORK)/,$(BASELINES)) $(BASELINE_WORK)/zeroshot-clip \
		--names FG-CLIP $(BASELINES) zeroshot-clip --out $(BASELINE_WORK)/table.md

# Every demo ablation (configs/ablations/fgclip_demo_*.py) and ablation A on
# the split where regions matter (fgclip_demo-small*), trained and tested one
# after the other, then one table (docs/ablations.md). Reduce the schedule
# with e.g. ABLATION_OPTIONS="--cfg-options train_cfg.max_epochs=1".
DEMO_SMALL_DATA ?= data/demo_small
ABLATION_WORK ?= work_dirs/ablations
ABLATION_OPTIONS ?=
demo-ablations: demo-data
	$(PY) tools/data/make_demo_dataset.py --out $(DEMO_SMALL_DATA) --seed 0 \
		--small-anomalies
	for cfg in configs/fgclip_demo.py configs/ablations/fgclip_demo_*.py \
			configs/fgclip_demo-small.py configs/ablations/fgclip_demo-small_*.py; do \
		w=$(ABLATION_WORK)/$$(basename $$cfg .py) && \
		$(PY) tools/train.py $$cfg --work-dir $$w $(ABLATION_OPTIONS) && \
		$(PY) tools/test.py $$cfg "$$(cat $$w/last_checkpoint)" --work-dir $$w \
			--dump $$w/results.npz || exit 1; \
	done
	$(PY) tools/analysis/compare.py $$(ls -d $(ABLATION_WORK)/*/) --no-build \
		--out $(ABLATION_WORK)/table.md

clean:
	rm -rf $(DEMO_DATA) $(DEMO_SMALL_DATA) work_dirs
