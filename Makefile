# The two README commands: `make demo` (set up, build, run notebooks/ on the embedded model, write
# reports/) and `make test` (set up, run the whole test suite). Both are idempotent.
SWIFT ?= swift
NOTEBOOKS := $(wildcard notebooks/*.loupe)

.PHONY: setup build release demo test bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

demo: release
	@scripts/demo.sh

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: release
	bench/run.sh

clean:
	rm -rf .build reports
