# imgrad - see README.md.  `make test` and `make demo` do all the set-up.
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
PYTHON  ?= /usr/bin/python3
BUILD   ?= build
CFLAGS  ?= -O2 -g
WARN     = -std=c99 -Wall -Wextra -Wpedantic
# -ffp-contract=off: no fused multiply-add, so float results match numpy's
# separately rounded multiply and add to the last bit.
# -fno-math-errno -fno-trapping-math: values are unchanged, but sqrtf need not
# set errno and a conditional operation may run on every lane, so the pixel
# loops vectorise (imgrad reads neither errno from maths nor FP exception flags).
FPFLAGS      = -ffp-contract=off -fno-math-errno -fno-trapping-math
ALL_CFLAGS   = $(WARN) -fopenmp $(FPFLAGS) -fPIC -fvisibility=hidden $(CFLAGS)
ALL_CPPFLAGS = -Iinclude -D_POSIX_C_SOURCE=200809L -MMD -MP $(CPPFLAGS)
LIBS     = -ljpeg -lpng16 -ldeflate -ltiff -lwebp -lheif -lspng -lm
# The soname follows include/imgrad.h's ABI rule: 0.MINOR while the major
# version is 0 (a minor release may break the ABI), MAJOR from 1.0 on.
VERSION_PART = $(shell sed -n 's/^\#define IMGRAD_VERSION_$(1) \([0-9]*\)/\1/p' include/imgrad.h)
SO_VERSION := $(if $(filter 0,$(call VERSION_PART,MAJOR)),0.$(call VERSION_PART,MINOR),$(call VERSION_PART,MAJOR))

# The layout is the architecture: src/lib/ is libimgrad (io/ loading and
# writing, kernel/ the arithmetic), src/cli/ the program, which sees only
# include/imgrad.h and its own headers (src/cli/plot/: pictures and formulas).
LIB_SRC  := $(sort $(wildcard src/lib/*.c src/lib/*/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c src/cli/*/*.c))
# the program's parts without main(), for its unit tests and fuzzers
CLI_PART_SRC := $(filter-out src/cli/main.c,$(CLI_SRC))
TEST_SRC := $(sort $(wildcard tests/lib/test_*.c tests/cli/test_*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_PART_OBJ := $(CLI_PART_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

DEB_PACKAGES = libstb-dev libcmocka-dev libdeflate-dev libjpeg-dev libpng-dev help2man pkg-config \
               libtiff-dev libwebp-dev libheif-dev libspng-dev libheif-examples webp \
               fonts-dejavu-core
PY_PACKAGES  = python3-numpy python3-opencv python3-skimage

.PHONY: all deps deps-python demo test check-unit check-cli check-install crosscheck \
        crosscheck-numpy crosscheck-opencv bench \
        check-shared install uninstall clean
all: $(BUILD)/imgrad $(BUILD)/libimgrad.a $(BUILD)/libimgrad.so

# Library files include their folder's private header; the program's
# files get -Iinclude alone, so a private library header cannot reach them.
$(BUILD)/obj/lib/%.o: src/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/cli/%.o: src/cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libimgrad.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libimgrad.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libimgrad.so.$(SO_VERSION) $(ALL_CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS)
	ln -sf libimgrad.so $(BUILD)/libimgrad.so.$(SO_VERSION)

$(BUILD)/imgrad: $(CLI_OBJ) $(BUILD)/libimgrad.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(CLI_OBJ) $(BUILD)/libimgrad.a -o $@ $(LIBS)

# The same program linked against libimgrad.so, as any user's program is:
# proof that it needs nothing the shared library hides.
$(BUILD)/shared/imgrad: $(CLI_OBJ) $(BUILD)/libimgrad.so
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(CLI_OBJ) -L$(BUILD) -l:libimgrad.so \
	    -Wl,-rpath,'$$ORIGIN/..' -o $@ -lm

$(BUILD)/libimgrad-cli.a: $(CLI_PART_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Library tests may include src/lib's private headers; the program's tests
# see what the program sees.
$(BUILD)/tests/lib/%: tests/lib/%.c $(BUILD)/libimgrad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Isrc/lib $(ALL_CFLAGS) $(LDFLAGS) $< $(BUILD)/libimgrad.a -o $@ -lcmocka $(LIBS)

$(BUILD)/tests/cli/%: tests/cli/%.c $(BUILD)/libimgrad-cli.a $(BUILD)/libimgrad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Isrc/cli/plot $(ALL_CFLAGS) $(LDFLAGS) $< $(BUILD)/libimgrad-cli.a \
	    $(BUILD)/libimgrad.a -o $@ -lcmocka $(LIBS)

# Installs what is missing from Debian's archive (root), or says how.
deps:
	@scripts/deps.sh $(DEB_PACKAGES)
deps-python:
	@scripts/deps.sh $(PY_PACKAGES)

demo: deps
	$(MAKE) all
	$(BUILD)/imgrad -o out --outputs gray,gx,gy,magnitude,direction assets/*.png
	@echo "demo: outputs written to out/"

test: deps-test
	$(MAKE) all $(TEST_BIN) $(REPLAY_BIN)
	$(MAKE) check-unit check-cli check-shared check-install check-corpus check-python

check-unit: $(TEST_BIN)
	@scripts/run_unit_tests.sh $(TEST_BIN)

check-cli: $(BUILD)/imgrad
	@for t in tests/cli/test_cli*.sh; do IMGRAD=$(BUILD)/imgrad bash $$t || exit 1; done

check-shared: $(BUILD)/shared/imgrad
	@bash scripts/check_shared.sh $(BUILD)/shared/imgrad

check-install: all
	@bash scripts/test_install.sh

# numpy.gradient parity, then OpenCV / scikit-image parity.
crosscheck: crosscheck-numpy crosscheck-opencv

crosscheck-numpy: deps deps-python
	$(MAKE) all
	$(PYTHON) scripts/crosscheck.py --held-out --imgrad $(BUILD)/imgrad assets/*.png \
	    assets/formats/cat16.png assets/formats/camera16.pgm

# OpenCV and scikit-image parity (sobel/scharr borders, --compat skimage,
# Canny F1) on assets/ and on held-out photos from python3-skimage's data,
# plus a crop and a rescale of each.
SKIMAGE_DATA = /usr/lib/python3/dist-packages/skimage/data
HELDOUT = $(addprefix $(SKIMAGE_DATA)/,coins.png moon.png grass.png gravel.png \
          hubble_deep_field.jpg ihc.png motorcycle_left.png rocket.jpg retina.jpg text.png)
# Times imgrad against OpenCV and numpy in one run; writes BENCHMARKS.md.
# Takes a few minutes and uses every core: run it on a quiet machine.
# BENCH_NOTE="..." records the conditions in the report.
bench: deps deps-python
	$(MAKE) all
	$(PYTHON) scripts/bench_peers.py --imgrad $(BUILD)/imgrad --out BENCHMARKS.md \
	    $(if $(BENCH_NOTE),--note "$(BENCH_NOTE)")

crosscheck-opencv: deps deps-python
	$(MAKE) all
	$(PYTHON) scripts/crosscheck_opencv.py --imgrad $(BUILD)/imgrad --derive \
	    assets/*.png $(wildcard $(HELDOUT))

install: all
	scripts/install.sh install "$(DESTDIR)" "$(PREFIX)" "$(BUILD)" "$(SO_VERSION)"
uninstall:
	scripts/install.sh uninstall "$(DESTDIR)" "$(PREFIX)" "$(BUILD)" "$(SO_VERSION)"

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD) out

include mk/robust.mk
include mk/fresh.mk
include mk/web.mk
include mk/python.mk
include mk/cluster.mk
include mk/compat.mk
include mk/pictures.mk

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)
