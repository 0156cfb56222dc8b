# Zawiya: `make run` serves the app, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000
PURE_MODULES := articles/normalization.py articles/cleaning.py articles/ingestion.py \
	articles/dedup.py articles/versions.py articles/fetching.py \
	comparisons/clustering.py comparisons/gazetteer.py comparisons/actors.py \
	comparisons/evaluation.py comparisons/lexicon.py comparisons/framing.py \
	comparisons/matrix.py comparisons/highlighting.py comparisons/alignment.py \
	comparisons/figures.py comparisons/agreement.py

.PHONY: run test install system-deps lint format messages check-deploy clean

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py demo_setup
	DEBUG=true $(BIN)/python manage.py runserver $(HOST)

test: install system-deps
	$(BIN)/python -m pytest

install: $(STAMP)

# The constraints file pins torch (pulled in by camel-tools) to the CPU wheel; unpinned, pip
# downloads a multi-gigabyte CUDA build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Debian packages the tests use: Chromium (browser tests, PDF export), poppler (PDF checks),
# Arabic fonts, gettext (translations). Installed only when missing and apt is available.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -qi "Noto Naskh Arabic" || missing="$$missing fonts-noto-core"; \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing system packages:$$missing (install them with your package manager)"; exit 1; \
		fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict $(PURE_MODULES)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l ar --ignore='.venv/*' --ignore='tests/*'
	DEBUG=true $(BIN)/python manage.py compilemessages -l ar --ignore='.venv/*'

check-deploy: install
	SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-value-for-the-check-0123456789 \
	DEBUG=false ALLOWED_HOSTS=zawiya.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
