# samla — see README.md. Everything here works on a fresh machine with only
# the Rust toolchain (and Python 3 for `make bench`).

PLAN    := templates/cancerplan-norr-2022-2024.toml
PLANID  := cancerplan-norr-2022-2024
SAMLA   := target/release/samla
# The earlier round (2022): constructed example data, see its README.md.
PREV    := samples/forra-omgangen
CARGO   ?= cargo

.PHONY: demo test lint templates samples golden bench build clean

build:
	$(CARGO) build --release --locked

## Merge the earlier round (constructed example data) into out/forra-omgangen,
## then the 2023 samples into out/, compared with it.
demo: build
	$(SAMLA) merge --quiet --plan $(PREV)/plan.toml --inbox $(PREV)/inkorg --out out/forra-omgangen
	$(SAMLA) merge --plan $(PLAN) --inbox samples/inkorg --out out --previous out/forra-omgangen
	@echo
	@echo "Klart. Öppna:"
	@echo "  out/sammanstallning.xlsx  – sammanställningen (mål × regioner, sammanfattning, diagram)"
	@echo "  out/avvikelser.xlsx       – avvikelserna, med fil och cell"
	@echo "  out/sammanstallning.json  – samma innehåll för maskiner"
	@echo "  out/rapport.docx          – rapportutkastet i Word (inledning, sammanfattning, tabell per område)"
	@echo "  out/svar.csv              – ett svar per rad (mål × svarande) för Excel och BI, UTF-8 med BOM, semikolon"
	@echo
	@echo "Jämförelsen med förra omgången (2022, konstruerade exempeldata i $(PREV)/, inte från någon rapport):"
	@echo "  out/sammanstallning.xlsx  – bladet Förändringar (en rad per mål och region som ändrats, filtrerbart)"
	@echo "                              och i Sammanfattning: antal per slag, försämrade och fortsatt ej påbörjade mål"
	@echo "  out/sammanstallning.json  – \"changes\" (mål, region, från, till, slag) och \"previous\""
	@echo "  out/rapport.docx          – avsnittet Förändringar sedan förra omgången (antal, försämrade, fortsatt ej påbörjade, nya bedömningar)"
	@echo "  out/forra-omgangen/       – förra omgångens egen sammanställning"

## Run every test, plus format and lint checks.
test: lint
	$(CARGO) test --locked

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

## Regenerate the committed templates and samples (a test fails when stale).
templates: build
	$(SAMLA) template --plan $(PLAN)
	$(SAMLA) plan convert $(PLAN) templates/$(PLANID).xlsx

samples: build
	for f in samples/answers/*.toml; do \
	  $(SAMLA) fill --plan $(PLAN) --answers $$f --out samples/inkorg/$(PLANID)-$$(basename $$f .toml).xlsx || exit 1; \
	done
	for f in $(PREV)/answers/*.toml; do \
	  $(SAMLA) fill --plan $(PREV)/plan.toml --answers $$f --out $(PREV)/inkorg/$(PLANID)-$$(basename $$f .toml).xlsx || exit 1; \
	done

## Refresh tests/golden/ (the dumps of what `make demo` writes) after an
## intended change of the outputs; review `git diff tests/golden` before committing.
golden:
	SAMLA_UPDATE_GOLDEN=1 $(CARGO) test --locked --test golden

## Benchmarks (not part of `make test`): see bench/README.md.
bench: build
	bash bench/run.sh

clean:
	rm -rf out bench/work
