# systematic-trading-infra: plain make, one rule set for every tool.
# Adding a tool is adding tools/NAME.c (and man/man1/NAME.1); adding a lib module is adding lib/NAME.c;
# adding a unit suite is adding tests/unit/check_NAME.c.

VERSION := $(shell cat VERSION)
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build/release
BIN     ?= bin

PKGS := libcurl jansson libpq openssl
CC   ?= cc
OPT  ?= -O2
SAN  ?=
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -DSTI_VERSION='"$(VERSION)"' $(OPT) -g \
	-Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -MMD -MP -Ilib \
	$(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm $(LDLIBS)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

LIB_SRC   := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_A     := $(BUILD)/libsti.a
TOOLS     := $(sort $(basename $(notdir $(wildcard tools/*.c))))
TOOL_BINS := $(TOOLS:%=$(BIN)/%)
UNIT_SRC  := $(sort $(wildcard tests/unit/check_*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
MAN_PAGES := $(sort $(wildcard man/man*/*.[1-9]))

# Debian packages: what building needs, what the tests and the demo add.
BUILD_PKGS = \
	build-essential \
	pkg-config \
	libcurl4-openssl-dev \
	libjansson-dev \
	libpq-dev \
	libssl-dev \
	check
TEST_PKGS = \
	awscli \
	bc \
	chromium \
	clang \
	jq \
	libclang-rt-14-dev \
	mandoc \
	munge \
	nodejs \
	npm \
	parallel \
	postgresql \
	python3-botocore \
	python3-pandas \
	shellcheck \
	slurm-wlm \
	systemd \
	tidy
DEMO_PKGS = \
	jq \
	parallel

.PHONY: print-test-pkgs all check check-once test-unit test-tools bench fuzz install deps deps-test deps-demo demo clean lint-man

all: $(TOOL_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/%: $(BUILD)/tools/%.o $(LIB_A)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(CHECK_LIBS) $(LDLIBS_ALL)

# make check: the whole suite, then the whole suite again under ASan + UBSan.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check: deps-test
	$(MAKE) -j$(JOBS) check-once
	$(MAKE) -j$(JOBS) check-once BUILD=build/san BIN=build/san/bin OPT=-O1 \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'

check-once: all $(UNIT_BINS) lint-man
	tests/run-unit $(UNIT_BINS)
	BIN=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) tests/run-tools

test-unit: $(UNIT_BINS)
	tests/run-unit $(UNIT_BINS)

test-tools: all
	BIN=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) tests/run-tools $(T)

lint-man:
	@tests/lint-man $(MAN_PAGES)
	@tests/lint-conflicts

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB_A)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

bench: all $(BENCH_BINS)
	BIN=$(abspath $(BIN)) bench/run $(B)

# libFuzzer targets, built with clang: make fuzz [RUNS=1000000] [FUZZ=csv]
RUNS ?= 1000000
FUZZ ?=
fuzz: deps-test
	@mkdir -p build/fuzz
	for f in $(if $(FUZZ),tests/fuzz/fuzz_$(FUZZ).c,$(FUZZ_SRC)); do n=$$(basename $$f .c); \
	  clang -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -DSTI_VERSION='"$(VERSION)"' -g -O1 -Ilib \
	    $$(pkg-config --cflags $(PKGS)) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o build/fuzz/$$n $$f $(LIB_SRC) \
	    $$(pkg-config --libs $(PKGS)) -lpthread -lm || exit 1; \
	  mkdir -p build/fuzz/corpus-$$n; \
	  build/fuzz/$$n -runs=$(RUNS) build/fuzz/corpus-$$n tests/fuzz/seeds/$${n#fuzz_} || exit 1; \
	done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(PREFIX)/share/sti/pipelines $(DESTDIR)$(PREFIX)/share/sti/etc
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/
	for m in $(MAN_PAGES); do install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/$$(basename $$(dirname $$m))/; done
	if ls pipelines/* >/dev/null 2>&1; then install -m 755 pipelines/* $(DESTDIR)$(PREFIX)/share/sti/pipelines/; fi
	if ls etc/*.conf >/dev/null 2>&1; then install -m 644 etc/*.conf $(DESTDIR)$(PREFIX)/share/sti/etc/; fi

# make deps: install what is missing when root, else print the exact command and fail.
deps:
	@build-aux/install-deps $(BUILD_PKGS)
deps-test:
	@build-aux/install-deps $(BUILD_PKGS) $(TEST_PKGS)
	@tests/setup-node
deps-demo:
	@build-aux/install-deps $(BUILD_PKGS) $(DEMO_PKGS)

# The packages the tests need, for a CI script that installs them itself (e.g. through sudo).
print-test-pkgs:
	@echo $(BUILD_PKGS) $(TEST_PKGS)

demo: deps-demo
	$(MAKE) all
	pipelines/demo

clean:
	rm -rf build bin tests/out bench/out

.SECONDARY:
-include $(wildcard $(BUILD)/lib/*.d $(BUILD)/lib/*/*.d $(BUILD)/tools/*.d $(BUILD)/tests/unit/*.d $(BUILD)/bench/*.d)
