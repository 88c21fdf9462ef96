# nnopt: build the book, run the tests. `make help` lists the targets.
#
#   make test   creates .venv (first time: a few minutes), runs the unit tests and re-executes every chapter
#               with nbval + the figure check (tests/nbval_figures.py)
#   make test-portable  the notebook check under another CPU kernel (tests/portable.py)
#   make book   builds the HTML book from the stored, test-verified outputs into _build/html, and its Chinese
#               edition (translations in locales/zh_CN, `make translations`) into _build/html/zh

SHELL       := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.nnopt-installed

# Keep tools out of $HOME and runs reproducible. Kernels started by the tests and `make notebooks` inherit
# all of this. MPLBACKEND is deliberately NOT set here: a Jupyter kernel started with MPLBACKEND=Agg draws no
# inline figures. The pytest process itself selects Agg in tests/conftest.py.
STATE := $(CURDIR)/_build/.state
export MPLCONFIGDIR          := $(STATE)/matplotlib
export KERAS_HOME            := $(STATE)/keras
export SCIKIT_LEARN_DATA     := $(STATE)/scikit_learn_data
export IPYTHONDIR            := $(STATE)/ipython
export JUPYTER_CONFIG_DIR    := $(STATE)/jupyter/config
export JUPYTER_DATA_DIR      := $(STATE)/jupyter/data
export JUPYTER_RUNTIME_DIR   := $(STATE)/jupyter/runtime
export JUPYTER_PATH          := $(CURDIR)/$(VENV)/share/jupyter
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export TF_CPP_MIN_LOG_LEVEL  := 3
export PYTHONHASHSEED        := 0
# one BLAS thread: xdist already runs two notebooks on the two cores, and a fixed thread count keeps the
# summation order of matrix products (and so the printed digits) the same from run to run
export OPENBLAS_NUM_THREADS  := 1
unexport MPLBACKEND

NOTEBOOKS := $(sort $(wildcard book/*.ipynb))

# -rfEs lists failures, errors and why a test was skipped (tests/test_browser.py without Chromium).
# The test command: unit tests in tests/ plus every chapter notebook, validated by nbval (text outputs)
# and tests/nbval_figures.py (PNG outputs, RMS tolerance), in one execution per notebook.
# tests/nbval_figures.py is loaded with -p, so it also applies when only notebooks are selected:
#   make test TESTS=book/sgd.ipynb
TESTS := tests $(NOTEBOOKS)
PYTEST_CMD := $(BIN)/python -m pytest -p nbval_figures
PYTEST := PYTHONPATH=tests $(PYTEST_CMD)
PYTEST_ARGS := -n 2 --dist loadfile -rfEs \
	--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	--nbval-cell-timeout 300 --nbval-figure-dir _build/figure-check

.PHONY: help venv test test-portable book translations notebooks lab lint clean distclean state

help:
	@echo "make venv       create .venv and install the pinned stack (requirements.txt) and nnopt"
	@echo "make test       unit tests + re-execute and validate every notebook in book/ (text and figures)"
	@echo "                (one notebook: make test TESTS=book/sgd.ipynb)"
	@echo "make test-portable  re-execute and validate the notebooks under an OpenBLAS/oneDNN kernel other than"
	@echo "                this CPU's own (tests/portable.py), so that printed digits do not depend on the processor"
	@echo "                (PORTABLE_KERNELS=\"Haswell SkylakeX Sandybridge\" for a list; one notebook: NOTEBOOKS=...)"
	@echo "make book       build the HTML book into _build/html, its Chinese edition into _build/html/zh"
	@echo "                (both render the stored outputs)"
	@echo "make translations  re-extract the English text and update the Chinese catalogs in locales/zh_CN"
	@echo "make notebooks  re-execute every notebook in book/ in place, regenerating the stored outputs"
	@echo "make lab        open the chapters in JupyterLab (installs it into .venv on first use)"
	@echo "make lint       ruff check nnopt tests benchmarks tools _ext"
	@echo "make clean      remove build outputs and caches (keeps .venv); make distclean also removes .venv"

venv: $(STAMP)

state:
	@mkdir -p $(MPLCONFIGDIR) $(KERAS_HOME) $(SCIKIT_LEARN_DATA) $(IPYTHONDIR) \
		$(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(JUPYTER_RUNTIME_DIR)

$(STAMP): requirements.txt pyproject.toml | state
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.version_info[:2] == (3, 11) or print("warning: requirements.txt is pinned and tested for Python 3.11, .venv has", sys.version.split()[0])'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	@touch $@

test: $(STAMP) | state
	$(PYTEST) $(PYTEST_ARGS) $(TESTS)

# The notebook check again (notebooks only, same flags) under a numerical kernel other than the native one:
# tests/portable.py picks it (OPENBLAS_CORETYPE, ONEDNN_MAX_CPU_ISA), checks that it takes effect and prints it.
test-portable: $(STAMP) | state
	PYTHONPATH=tests $(BIN)/python tests/portable.py -- $(PYTEST_CMD) $(PYTEST_ARGS) $(NOTEBOOKS)

book: $(STAMP) | state
	$(BIN)/python tools/build_book.py
	@echo "Book: $(CURDIR)/_build/html/index.html (中文: $(CURDIR)/_build/html/zh/index.html)"

# Re-extract the English messages of every page and update the Chinese catalogs: new messages arrive empty,
# changed ones are marked fuzzy (with the old translation as a draft), removed ones are dropped. Then translate
# (python tools/i18n.py lists what is left) until `make test` passes.
translations: $(STAMP) | state
	$(BIN)/jupyter-book build . --builder custom --custom-builder gettext --path-output _build/i18n -W --keep-going
	$(BIN)/sphinx-intl update --pot-dir _build/i18n/_build/gettext --locale-dir locales --language zh_CN \
		--line-width 0 --no-obsolete
	$(BIN)/python tools/i18n.py || true

notebooks: $(STAMP) | state
ifeq ($(NOTEBOOKS),)
	@echo "no notebooks in book/"
else
	$(BIN)/python tests/execute_notebooks.py --timeout 600 --kernel python3 $(NOTEBOOKS)
endif

# JupyterLab is not needed to build or test, so it is not in requirements.txt; it is installed on demand,
# constrained by the pins so that it never changes the tested stack. Jupyter refuses to run as root (e.g. in a
# container) unless told --allow-root; a normal user does not get the flag.
JUPYTERLAB := jupyterlab==4.6.6

lab: $(STAMP) | state
	@test -x $(BIN)/jupyter-lab || $(BIN)/python -m pip install --quiet "$(JUPYTERLAB)" -c requirements.txt
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) book/

lint: $(STAMP) | state
	$(BIN)/ruff check $(wildcard nnopt tests benchmarks tools _ext)

clean:
	rm -rf _build .pytest_cache .hypothesis .ruff_cache *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
