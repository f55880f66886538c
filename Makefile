# Every target bootstraps .venv from pyproject.toml (pinned by requirements/lock.txt) on first use.
#   make course                  run the whole course in full mode (build/report.md)
#   make course FAST=1 ONLY=01   one chapter, FAST mode
#   make course ONLY=08 PARAMS="-p DCGAN_EPOCHS 50"   chapter parameters; RETRAIN=1 ignores the model cache
#   make test                    every test: unit, slow (training, kernels) and every notebook in FAST mode
#   make test-unit               the unit tests only (under a minute: no training, no kernel)
#   make test-browser            chapters, student version and report in JupyterLab and Chromium (needs Chromium)
#   make lab                     open the notebooks in JupyterLab
#   make benchmarks ONLY=02      full-mode runs into benchmarks/results/ and the README tables
#   make student ONLY=01         student and grading versions of the exercises (build/assignments/)
#   make grade CHAPTER=01 SUBMISSIONS=folder   grade submitted notebooks (build/grades/<chapter>/grades.csv)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= build
# TensorFlow flavour: the CUDA build where an NVIDIA driver is present, else the small CPU build
TF_EXTRA ?= $(if $(shell command -v nvidia-smi 2>/dev/null),gpu,cpu)
STAMP := $(VENV)/.installed-$(TF_EXTRA)

export TF_CPP_MIN_LOG_LEVEL ?= 2
export TF_ENABLE_ONEDNN_OPTS ?= 0

.PHONY: install course test test-unit test-slow test-browser lab lint strip benchmarks clean student grade grade-arguments

install: $(STAMP)

$(STAMP): pyproject.toml requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[$(TF_EXTRA),dev]"
	touch $@

# PARAMS="-p SEED 3 -p DCGAN_EPOCHS 50": chapter parameters, as papermill's -p; RETRAIN=1: no model from the cache
course: $(STAMP)
	$(BIN)/python -m dlnotes run $(if $(FAST),--fast) $(if $(ONLY),--only $(ONLY)) $(if $(RETRAIN),--retrain) --out $(OUT) $(PARAMS)

# The tests and the benchmarks always train: the tests prove that the models learn (tests/conftest.py switches the
# model cache off for a bare pytest too), the benchmarks time the training.
test test-unit test-slow benchmarks: export DLNOTES_CACHE = off

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(BIN)/python -m pytest -m "not notebook and not slow" $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m "slow and not notebook" $(PYTEST_ARGS)

# Playwright drives the system's Chromium (/usr/bin/chromium, or $DLNOTES_CHROMIUM): nothing is downloaded.
# Not part of `make test`, which needs no browser; .ci/run runs both and installs Chromium where it is missing.
test-browser: $(VENV)/.installed-browser
	$(BIN)/python -m pytest -m browser tests/browser $(PYTEST_ARGS)

$(VENV)/.installed-browser: $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[$(TF_EXTRA),dev,browser]"
	touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check dlnotes tests benchmarks notebooks
	$(BIN)/python -m dlnotes lint

strip: $(STAMP)
	$(BIN)/nbstripout --drop-empty-cells notebooks/*.ipynb

clean:
	rm -rf $(OUT) .pytest_cache

# Everything: the RNN speed comparison (about 20 min), then FAST and full runs of every chapter (hours on 2 cores).
# ONLY=02: FAST and full runs of the chosen chapters only.
benchmarks: $(STAMP)
	$(if $(ONLY),,$(BIN)/python benchmarks/rnn_speed.py)
	$(if $(ONLY),,$(BIN)/python benchmarks/training_speed.py)
	$(BIN)/python benchmarks/fast_run.py $(if $(ONLY),--only $(ONLY))
	$(BIN)/python benchmarks/full_run.py --only $(or $(ONLY),$(shell $(BIN)/python -m dlnotes list | cut -c1-2 | paste -sd,))
	$(BIN)/python benchmarks/tables.py --write

student: $(STAMP)
	$(BIN)/python -m dlnotes student $(if $(ONLY),--only $(ONLY)) --out $(OUT)/assignments

# JOBS=2 grades two submissions at a time; TIMEOUT bounds one submission (seconds)
grade: grade-arguments $(STAMP)
	$(BIN)/python -m dlnotes grade $(CHAPTER) $(SUBMISSIONS) $(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT))

grade-arguments:  # checked before the bootstrap, so that a forgotten argument installs nothing
	@test -n "$(CHAPTER)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade CHAPTER=01 SUBMISSIONS=folder [JOBS=2] [TIMEOUT=600]"; exit 2; }
