# robust.mk - included by the Makefile: sanitizer and valgrind runs, the
# fuzzers and the replay of their corpus (see README, "Security").

SAN_BUILD    ?= build-sanitize
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
SAN_FLAGS     = -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer
# what a fresh machine needs for the fuzzers and valgrind
FUZZ_PACKAGES     = clang libclang-rt-dev libomp-dev python3-numpy python3-pil
VALGRIND_PACKAGES = valgrind

FUZZ_NAMES   := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
REPLAY_BIN   := $(FUZZ_NAMES:%=$(BUILD)/replay/replay_%)
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
# the library, and the program's formula parser (fuzz_expr)
FUZZ_LIB_OBJ := $(LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_BUILD)/obj/cli/plot/expr.o
FUZZ_INC      = -Iinclude -Isrc/lib -Isrc/cli/plot
FUZZ_CFLAGS   = $(WARN) -Wno-pass-failed -fopenmp -ffp-contract=off -g -O1 -fno-omit-frame-pointer \
                -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all

# stb_image_write's JPEG bit writer shifts set bits out of a signed int
# (bitBuf <<= 8).  GCC and Clang define that as two's complement, so it is
# not a bug; it is the one sanitizer check turned off, for src/lib/io/stb.c alone.
STB_SAN_EXCEPT = -fno-sanitize=shift-base
$(SAN_BUILD)/obj/lib/io/stb.o: ALL_CFLAGS += $(STB_SAN_EXCEPT)
$(FUZZ_BUILD)/obj/lib/io/stb.o: FUZZ_CFLAGS += $(STB_SAN_EXCEPT)

.PHONY: check-corpus check-sanitize check-valgrind fuzz fuzz-build fuzz-seeds

# A harness with replay.c's main(): runs the corpus files without libFuzzer.
$(BUILD)/replay/replay_%: fuzz/fuzz_%.c fuzz/replay.c fuzz/fuzz.h $(BUILD)/libimgrad-cli.a $(BUILD)/libimgrad.a
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_INC) -D_POSIX_C_SOURCE=200809L $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) \
	    fuzz/fuzz_$*.c fuzz/replay.c $(BUILD)/libimgrad-cli.a $(BUILD)/libimgrad.a -o $@ $(LIBS)

# Every input that ever crashed a harness, replayed through the same harness.
check-corpus: $(REPLAY_BIN)
	@scripts/replay_corpus.sh $(BUILD)/replay $(FUZZ_NAMES)

# The whole test suite again, built with ASan and UBSan in its own folder;
# any report aborts the run (leaks included).
check-sanitize: deps-test
	$(MAKE) BUILD=$(SAN_BUILD) CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    all $(TEST_BIN:$(BUILD)/%=$(SAN_BUILD)/%) $(REPLAY_BIN:$(BUILD)/%=$(SAN_BUILD)/%)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	$(MAKE) BUILD=$(SAN_BUILD) CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    check-unit check-cli check-corpus

# The CLI tests with every imgrad run under valgrind's memcheck: an error or
# a definite leak makes that run exit 99, which fails the test it is in.
check-valgrind: deps-test
	@scripts/deps.sh $(VALGRIND_PACKAGES)
	$(MAKE) all
	@mkdir -p $(BUILD)/valgrind
	@printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect "%s" "$$@"\n' \
	    "$(abspath $(BUILD)/imgrad)" > $(BUILD)/valgrind/imgrad
	@chmod +x $(BUILD)/valgrind/imgrad
	@for t in tests/cli/test_cli*.sh; do \
	    IMGRAD=$(BUILD)/valgrind/imgrad IMGRAD_TIME_LIMIT=120 bash $$t || exit 1; done

# The fuzzers: libFuzzer with ASan and UBSan, clang only.
$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Iinclude -D_POSIX_C_SOURCE=200809L -MMD -MP $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_INC) -D_POSIX_C_SOURCE=200809L $(FUZZ_CFLAGS) -fsanitize=fuzzer \
	    $< $(FUZZ_LIB_OBJ) -o $@ $(LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz-seeds:
	$(PYTHON) scripts/fuzz_seeds.py assets $(FUZZ_BUILD)/seeds

# make fuzz FUZZ_SECONDS=N: each harness in turn for N seconds.
fuzz: deps
	@scripts/deps.sh $(FUZZ_PACKAGES)
	$(MAKE) fuzz-build fuzz-seeds
	scripts/run_fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

-include $(FUZZ_LIB_OBJ:.o=.d)
