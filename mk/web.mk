# web.mk - included by the Makefile: the browser page (docs/web.md).
#
#   make deps-web    Debian's emscripten and chromium, npm, and playwright-core
#                    (from npm, into $(WEB_NODE), never committed)
#   make web         libimgrad + the formula parser to WebAssembly: writes
#                    web/libimgrad.js (the wasm inside, base64), so web/ is the
#                    whole page, to open from file:// or any static server
#   make check-web   drives headless chromium over the page and compares its
#                    numbers with build/imgrad's; screenshots in $(WEB_SCREENS)

EMCC        ?= emcc
WEB_BUILD   ?= $(BUILD)/web
WEB_NODE    ?= $(BUILD)/web-node
WEB_SCREENS ?= $(BUILD)/web-screens
WEB_OUT      = web/libimgrad.js
WEB_PACKAGES = emscripten chromium python3
PLAYWRIGHT   = playwright-core@1.65.1

# Decoders and writers over host-only libraries (libheif, libtiff, libwebp,
# libspng, libpng): the page decodes images in the browser.
WEB_HOST_ONLY = src/lib/io/formats.c src/lib/io/heif.c src/lib/io/tiff.c src/lib/io/webp.c \
                src/lib/io/write_deep.c src/lib/io/pnggray.c src/lib/io/channels.c

# The library without what needs host-only libraries (jpeg.c: libjpeg-turbo,
# png.c and its deflate.c: libdeflate; web/stubs.c stands in for them) and
# without load.c (file loading, which the page does not use; its
# MAX_FILE_BYTES, (size_t)1 << 32, overflows a 32-bit size_t) and
# load_gradient.c (decoding with the kernel, over jpeg.c and load.c).  The program's
# formula parser and drawing primitives, compiled as they are.
WEB_LIB_SRC := $(filter-out src/lib/io/jpeg.c src/lib/io/png.c src/lib/io/deflate.c \
                 src/lib/io/load.c src/lib/load_gradient.c $(WEB_HOST_ONLY),$(LIB_SRC))
WEB_CLI_SRC := src/cli/plot/expr.c src/cli/plot/plot.c src/cli/plot/plot_field.c src/cli/plot/surface.c \
               src/cli/plot/font.c src/cli/plot/plot_photo.c
WEB_OBJ := $(WEB_LIB_SRC:src/%.c=$(WEB_BUILD)/obj/%.o) \
           $(WEB_CLI_SRC:src/%.c=$(WEB_BUILD)/obj/%.o) $(WEB_BUILD)/obj/web/stubs.o

# No -fopenmp: the pragmas are ignored and every kernel runs on one thread,
# with results identical for any thread count.  -Wno-unused-parameter: the
# parameters only OpenMP pragmas (thread counts) or the x86 dispatch read.  stb's headers come from a
# folder holding nothing but them, so emcc never sees the host's /usr/include.
WEB_CFLAGS   = $(WARN) -Wno-unused-parameter $(FPFLAGS) -O2
WEB_CPPFLAGS = -Iinclude -isystem $(WEB_BUILD)/include -D_POSIX_C_SOURCE=200809L
WEB_LDFLAGS  = -O2 -sMODULARIZE=1 -sEXPORT_NAME=createImgrad -sSINGLE_FILE=1 \
               -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=web \
               -sEXPORTED_RUNTIME_METHODS=[UTF8ToString,stringToUTF8,lengthBytesUTF8]
# emcc runs its JS tools with node; Debian's node modules (acorn) live in
# /usr/share/nodejs, which a node from elsewhere (nodesource) does not search.
WEB_ENV      = NODE_PATH=/usr/share/nodejs

.PHONY: web deps-web check-web clean-web

web: $(WEB_OUT)

$(WEB_BUILD)/include/stb:
	@mkdir -p $(dir $@)
	ln -sfn /usr/include/stb $@

$(WEB_BUILD)/obj/lib/%.o: src/lib/%.c | $(WEB_BUILD)/include/stb
	@mkdir -p $(dir $@)
	$(WEB_ENV) $(EMCC) $(WEB_CPPFLAGS) -MMD -MP $(WEB_CFLAGS) -c $< -o $@

$(WEB_BUILD)/obj/cli/%.o: src/cli/%.c | $(WEB_BUILD)/include/stb
	@mkdir -p $(dir $@)
	$(WEB_ENV) $(EMCC) $(WEB_CPPFLAGS) -MMD -MP $(WEB_CFLAGS) -c $< -o $@

$(WEB_BUILD)/obj/web/stubs.o: web/stubs.c
	@mkdir -p $(dir $@)
	$(WEB_ENV) $(EMCC) $(WEB_CPPFLAGS) -MMD -MP -Isrc/lib $(WEB_CFLAGS) -c $< -o $@

$(WEB_BUILD)/libimgrad-web.a: $(WEB_OBJ)
	@rm -f $@
	$(WEB_ENV) emar rcs $@ $^

$(WEB_OUT): web/glue.c src/cli/plot/plot.h src/cli/plot/expr.h include/imgrad.h \
            $(WEB_BUILD)/libimgrad-web.a
	$(WEB_ENV) $(EMCC) $(WEB_CPPFLAGS) -Isrc/cli/plot $(WEB_CFLAGS) $(WEB_LDFLAGS) \
	    web/glue.c $(WEB_BUILD)/libimgrad-web.a -o $@

# nodesource's nodejs brings its own npm and conflicts with Debian's npm
# package, so Debian's is installed only when there is no npm at all.
deps-web:
	@scripts/deps.sh $(WEB_PACKAGES)
	@command -v npm >/dev/null || scripts/deps.sh npm
	@test -d $(WEB_NODE)/node_modules/playwright-core || \
	    npm install --prefix $(WEB_NODE) --no-audit --no-fund --no-save $(PLAYWRIGHT)

check-web: deps deps-web
	$(MAKE) all web
	@mkdir -p $(WEB_SCREENS)
	timeout 300 bash web/test/run.sh $(BUILD)/imgrad $(WEB_NODE) $(WEB_SCREENS)

clean-web:
	rm -rf $(WEB_BUILD) $(WEB_NODE) $(WEB_SCREENS) $(WEB_OUT)

-include $(WEB_OBJ:.o=.d)
