# Set-up and entry points. Every target creates the pinned environment first.
#   make study      the full study of params.yaml (snakemake --cores $(CORES)); STUDY=<id> one study of it,
#                   VARIANT="<id> ..." some variants, then the report of what exists
#   make publish    STUDY="<id> ..." (or VARIANT="<id> ...") study after study: its jobs, then record them in
#                   dvc.lock, build the report and regenerate docs/results.md: a long run, a part at a time
#   make smoke      the same graph on the smoke params, in ./smoke (a few minutes on 2 cores)
#   make rehearsal  the full graph on the full data with every training capped at $(EPOCHS) epoch(s), in ./rehearsal
#   make test       lint, then the test suite (unit, integration, real Snakemake/DVC/SLURM runs)
#   make test-fast  unit and integration tests only (no workflow runs): the edit-test loop
#   make lint       ruff (lint, format), mypy, snakefmt, snakemake --lint, the params check
#   make generated  rewrite the files generated from the code: the params schema, dvc.yaml, docs/choices.md

PYTHON ?= python3
# Every core this process may use (Snakemake gives each torch job the threads its rule asks for).
CORES ?= $(shell python3 -c 'import os; print(len(os.sched_getaffinity(0)))')
EPOCHS ?= 1
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed

# Site setting, not a param: a relative mirror path is made absolute, because
# stages may run in another directory (snakemake --directory, cluster jobs);
# `override` makes that hold for `make smoke AELAB_DATA_MIRROR=...` as well.
ifdef AELAB_DATA_MIRROR
override AELAB_DATA_MIRROR := $(abspath $(AELAB_DATA_MIRROR))
export AELAB_DATA_MIRROR
endif
export PATH := $(BIN):$(PATH)

# STUDY and VARIANT as options of `python -m aelab targets`. An unknown id stops it (one line naming the id and the
# known ones, exit 2) and the recipe with it: a typo never reaches Snakemake, whose default target is the whole study.
SELECTION := $(strip $(if $(STUDY),--study $(STUDY)) $(if $(VARIANT),--variant $(VARIANT)))
SNAKEMAKE := snakemake --cores $(CORES) --rerun-incomplete

.PHONY: study publish smoke rehearsal test test-fast lint generated debian
study: $(STAMP)
ifneq ($(SELECTION),)
	targets=$$(python -m aelab targets $(SELECTION)) && $(SNAKEMAKE) $$targets
	python -m aelab report
else
	$(SNAKEMAKE)
endif

# Each study of STUDY in turn (or the variants of VARIANT at once): its jobs, then `aelab record` (its finished
# stages into dvc.lock), the report (it draws each study's loss curves and names the stage code dvc.lock records),
# `aelab record` again (the report's own entry: dvc.lock then describes the report it sits beside) and `aelab
# results` (docs/results.md and its figures). Every id is checked before the first job starts. A page that fails to
# build stops no run: the next study starts, and make fails at the end.
# Committing the published files is left to the user (docs/running.md says which).
PUBLISHED := $(if $(STUDY),$(addprefix --study=,$(STUDY)),$(if $(VARIANT),"--variant $(VARIANT)"))
publish: $(STAMP)
ifeq ($(PUBLISHED),)
	@echo 'make publish: name what to publish: STUDY="<id> ..." or VARIANT="<id> ..."' >&2; exit 2
endif
ifneq ($(STUDY),)
ifneq ($(VARIANT),)
	@echo 'make publish: STUDY or VARIANT, not both' >&2; exit 2
endif
endif
	@for selection in $(PUBLISHED); do python -m aelab targets $$selection > /dev/null || exit 2; done
	@set -e; pages=0; for selection in $(PUBLISHED); do \
		echo "make publish: $$selection"; \
		targets=$$(python -m aelab targets $$selection); \
		$(SNAKEMAKE) $$targets; \
		python -m aelab record; \
		python -m aelab report && python -m aelab record && python -m aelab results || { pages=1; \
		echo "make publish: $$selection ran and is recorded, but its pages were not written (above); the run goes on" >&2; }; \
	done; exit $$pages

# The smoke study's params are copied once: edits made in smoke/params.yaml stay.
smoke: $(STAMP)
	mkdir -p smoke
	test -f smoke/params.yaml || cp tests/smoke/params.yaml smoke/params.yaml
	snakemake --cores 2 --directory smoke

rehearsal: $(STAMP)
	mkdir -p rehearsal
	python -m aelab rehearsal_params --epochs $(EPOCHS) > rehearsal/params.yaml.tmp
	mv rehearsal/params.yaml.tmp rehearsal/params.yaml
	snakemake --cores $(CORES) --directory rehearsal --rerun-incomplete

# Two pytest runs side by side: the tests on the engines' smoke projects (built once per process, both at the same
# time; dvc repro runs one stage at a time and leaves a core) and everything else; the second's output follows.
# (pytest-xdist's --dist loadgroup would express this, but it stopped grouping with pytest 9.2: pytest-xdist#1386.)
test: lint debian
	@rest_log=$$(mktemp); python -m pytest -m "not smoke_projects" --durations=10 > $$rest_log 2>&1 & rest=$$!; \
	python -m pytest -m smoke_projects --durations=15; projects=$$?; \
	wait $$rest; rest=$$?; cat $$rest_log; rm -f $$rest_log; \
	test $$projects = 0 && test $$rest = 0

test-fast: $(STAMP)
	python -m pytest -m "not workflow"

# Every rule runs `python -m aelab` in the one pinned environment (requirements/lock.txt), so
# snakemake --lint's advice to give each rule a conda environment or container is the one lint
# left, on purpose; any other fails.
ACCEPTED_SNAKEMAKE_LINT := Specify a conda environment or container for each rule
lint: $(STAMP)
	ruff check .
	ruff format --check .
	mypy src/aelab
	snakefmt --check Snakefile workflow/rules
	python -m aelab check
	@lints=$$(snakemake --lint 2>&1 | grep '^    \* ' | grep -v '$(ACCEPTED_SNAKEMAKE_LINT)'); \
	if [ -n "$$lints" ]; then snakemake --lint; exit 1; else echo "snakemake --lint: only the accepted lint"; fi

# Debian packages the tests drive for real, each group with what it is for. Installed with apt-get where one is
# missing and this is root, after saying which and why; otherwise the tests that need them skip, saying why.
SLURM_PACKAGES := slurmctld slurmd slurm-client munge
SLURM_USE := a one-node SLURM cluster (and munge, its authentication) that the cluster tests start and stop
BROWSER_PACKAGES := chromium chromium-driver
BROWSER_USE := the headless browser that opens the HTML report
APT_GET ?= apt-get
debian:
	@missing=""; \
	command -v slurmctld >/dev/null || { missing="$$missing $(SLURM_PACKAGES)"; why="$$why\n  $(SLURM_PACKAGES): $(SLURM_USE)"; }; \
	command -v chromedriver >/dev/null || { missing="$$missing $(BROWSER_PACKAGES)"; why="$$why\n  $(BROWSER_PACKAGES): $(BROWSER_USE)"; }; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v $(APT_GET) >/dev/null; then \
		printf "make debian: not root with $(APT_GET), so the tests that need these skip:$$why\n"; exit 0; \
	fi; \
	printf "make debian: installing Debian packages with $(APT_GET) (root):$$why\n"; \
	$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$missing >/dev/null

# Files generated from the code, committed (a fast test checks each is current): the JSON schema that
# Snakemake's validate() uses, DVC's stages from the pipeline's stage table, the table of choices.
generated: $(STAMP)
	python -m aelab schema > workflow/schemas/params.schema.json
	python -m aelab dvc_yaml > dvc.yaml
	python -m aelab choices > docs/choices.md

$(STAMP): pyproject.toml requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint requirements/lock.txt --editable '.[test]'
	touch $@
