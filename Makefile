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
LIBS     = -ljpeg -ldeflate -lm
SO_VERSION = 0

LIB_SRC  := $(sort $(filter-out src/cli%.c,$(wildcard src/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

DEB_PACKAGES = libstb-dev libcmocka-dev libdeflate-dev libjpeg-dev help2man pkg-config
PY_PACKAGES  = python3-numpy python3-opencv python3-skimage

.PHONY: all deps deps-python demo test check-unit check-cli check-install crosscheck \
        crosscheck-numpy crosscheck-opencv bench \
        install uninstall clean
all: $(BUILD)/imgrad $(BUILD)/libimgrad.a $(BUILD)/libimgrad.so

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libimgrad.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libimgrad.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libimgrad.so.$(SO_VERSION) $(ALL_CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/imgrad: $(CLI_OBJ) $(BUILD)/libimgrad.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(CLI_OBJ) $(BUILD)/libimgrad.a -o $@ $(LIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libimgrad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Isrc $(ALL_CFLAGS) $(LDFLAGS) $< $(BUILD)/libimgrad.a -o $@ -lcmocka $(LIBS)

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
	$(MAKE) check-unit check-cli check-install check-corpus

check-unit: $(TEST_BIN)
	@scripts/run_unit_tests.sh $(TEST_BIN)

check-cli: $(BUILD)/imgrad
	@for t in scripts/test_cli*.sh; do IMGRAD=$(BUILD)/imgrad bash $$t || exit 1; done

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
	scripts/install.sh install "$(DESTDIR)" "$(PREFIX)" "$(BUILD)"
uninstall:
	scripts/install.sh uninstall "$(DESTDIR)" "$(PREFIX)" "$(BUILD)"

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD) out

include mk/robust.mk
include mk/fresh.mk

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)
