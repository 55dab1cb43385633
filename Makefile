# Switchboard: the two commands a new machine needs are `make run` and
# `make test` (README). Both install what they need, idempotently.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
CONFIG ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := debootstrap sip-tester ca-certificates curl ansible ansible-lint nodejs chromium fonts-wqy-microhei postgresql

.PHONY: run test deps build pbx pbx-stop fs fs-stop unit fuzz e2e lint clean bench-load

## run: without CONFIG, build and start the testbed PBX, then Switchboard on it;
## with CONFIG=FILE, Switchboard on the PBX that file names. Ctrl-C stops
## Switchboard; `make pbx-stop` stops the testbed Asterisk.
## PBX=freeswitch: the testbed FreeSWITCH (testbed/fs.sh) instead of Asterisk.
PBX ?= asterisk
run: deps build
ifeq ($(PBX),freeswitch)
	$(if $(CONFIG),,testbed/fs.sh start)
	./bin/switchboard serve --config $(if $(CONFIG),$(CONFIG),$${SB_FS_RUN:-.cache/fs-run}/render.yaml)
else
	$(if $(CONFIG),,testbed/pbx.sh start)
	./bin/switchboard serve $(if $(CONFIG),--config $(CONFIG))
endif

## test: every test: lint, unit (race), and end-to-end on the real Asterisk testbed
test: deps lint unit fuzz e2e

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	$(GO) mod download
	@command -v npm >/dev/null || { $(SUDO) apt-get install -y -qq npm; }
	@# Browser tests: playwright-core from the lockfile; never a downloaded browser (Debian's chromium).
	@if ! cmp -s web-test/package-lock.json web-test/node_modules/.sb-lock; then \
	  cd web-test && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund && cp package-lock.json node_modules/.sb-lock; fi

build:
	$(GO) build -o bin/switchboard ./cmd/switchboard

pbx:
	testbed/pbx.sh start

pbx-stop:
	testbed/pbx.sh stop

## fs / fs-stop: the testbed FreeSWITCH (built once into /var/cache/switchboard/freeswitch).
fs:
	testbed/fs.sh start

fs-stop:
	testbed/fs.sh stop

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...
	$(GO) vet -tags 'e2e loadbench' ./testbed/
	cd ansible && ansible-playbook -i inventory.example.ini --syntax-check asterisk.yml freeswitch.yml switchboard.yml >/dev/null
	cd ansible && ANSIBLE_NOCOLOR=1 ansible-lint --offline -q --nocolor

unit:
	$(GO) test -race -count=1 ./...

## fuzz: every Fuzz target for FUZZTIME each (new crashers land in the
## package's testdata/fuzz and fail the run); `make fuzz FUZZTIME=5m` digs longer.
FUZZTIME ?= 8s
fuzz:
	GO=$(GO) testbed/fuzz.sh $(FUZZTIME)

# e2e: every package with the e2e tag: the ARI spec check and the real-Asterisk call tests.
e2e: build
	testbed/pbx.sh build
	mkdir -p .cache && $(GO) test -tags e2e -count=1 -timeout 50m -v ./... 2>&1 | tee .cache/e2e.log | grep -E '^ *(=== RUN|--- |PASS|FAIL|ok|panic)' ; \
	  rc=$${PIPESTATUS[0]}; [ $$rc = 0 ] || testbed/failures.sh .cache/e2e.log; exit $$rc

## bench-load: the load benchmark (testbed/README.md): the same sipp load
## through app_queue and through Switchboard on the testbed Asterisk; the
## table and its JSON land in .cache/bench-load/ (latest.txt, latest.json).
## Not part of `make test`: TestLoadBench is built only with the loadbench tag.
bench-load:
	testbed/pbx.sh build
	mkdir -p .cache && set -o pipefail && $(GO) test -tags 'e2e loadbench' -run '^TestLoadBench$$' -count=1 -timeout 20m -v ./testbed/ 2>&1 | tee .cache/bench-load.log

clean:
	testbed/pbx.sh stop
	rm -rf bin data
