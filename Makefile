# samla — see README.md. Everything here works on a fresh machine with only
# the Rust toolchain (and Python 3 for `make bench`).

PLAN    := templates/cancerplan-norr-2022-2024.toml
PLANID  := cancerplan-norr-2022-2024
SAMLA   := target/release/samla
CARGO   ?= cargo

.PHONY: demo test lint templates samples golden bench build clean

build:
	$(CARGO) build --release --locked

## Merge the bundled samples into out/.
demo: build
	$(SAMLA) merge --plan $(PLAN) --inbox samples/inkorg --out out
	@echo
	@echo "Klart. Öppna:"
	@echo "  out/sammanstallning.xlsx  – sammanställningen (mål × regioner, sammanfattning, diagram)"
	@echo "  out/avvikelser.xlsx       – avvikelserna, med fil och cell"
	@echo "  out/sammanstallning.json  – samma innehåll för maskiner"
	@echo "  out/rapport.docx          – rapportutkastet i Word (inledning, sammanfattning, tabell per område)"

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

## Refresh tests/golden/ (the dumps of what `make demo` writes) after an
## intended change of the outputs; review `git diff tests/golden` before committing.
golden:
	SAMLA_UPDATE_GOLDEN=1 $(CARGO) test --locked --test golden

## Benchmarks (not part of `make test`): see bench/README.md.
bench: build
	bash bench/run.sh

clean:
	rm -rf out bench/work
