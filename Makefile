# `make demo` and `make test` set everything up on a fresh machine by themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.fgclip_mm-installed
DEMO_DATA ?= data/demo
DEMO_WORK ?= work_dirs/fgclip_demo
PYTEST_ARGS ?=

.PHONY: setup test test-fast demo demo-data demo-ablations clean

$(STAMP): requirements.txt requirements-test.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade -r requirements-test.txt
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

test: setup
	$(PY) -m pytest tests $(PYTEST_ARGS)

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

clean:
	rm -rf $(DEMO_DATA) work_dirs
