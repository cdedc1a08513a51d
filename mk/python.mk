# python.mk - included by the Makefile: the Python package in python/ (a C
# extension over libimgrad, built against Debian's python3-dev and
# python3-numpy), its tests, and the test suites of numpy and scikit-image
# run with imgrad's functions in place of theirs.  See docs/python.md.

PY_BUILD_PACKAGES = python3-dev python3-numpy python3-setuptools python3-pip python3-venv
PY_TEST_PACKAGES  = python3-pytest python3-hypothesis python3-skimage python3-dask \
                    python3-distributed
# The extension's name as this Python imports it (.cpython-311-x86_64-linux-gnu.so)
PY_EXT_SUFFIX = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
PY_INCLUDES   = $(shell $(PYTHON) -c 'import sysconfig, numpy; \
                print("-I" + sysconfig.get_paths()["include"], "-I" + numpy.get_include())')
PY_EXT        = python/imgrad/_core$(PY_EXT_SUFFIX)

.PHONY: python check-python check-python-install deps-python-build bench-python

deps-python-build:
	@scripts/deps.sh $(PY_BUILD_PACKAGES) $(PY_TEST_PACKAGES)

# The extension links libimgrad.a (its objects are built with -fPIC), so the
# kernels keep the library's floating-point flags; built in place, so that
# PYTHONPATH=python $(PYTHON) -c "import imgrad" works from the repo root.
python: $(PY_EXT)

PY_EXT_SOURCES = python/imgrad/_core.c python/imgrad/blockcache.c

$(PY_EXT): $(PY_EXT_SOURCES) python/imgrad/blockcache.h include/imgrad.h $(BUILD)/libimgrad.a
	$(CC) -shared -fPIC -fopenmp -ffp-contract=off -O2 -g -Wall -Wextra -Iinclude $(PY_INCLUDES) $(CPPFLAGS) \
	    $(LDFLAGS) $(PY_EXT_SOURCES) $(BUILD)/libimgrad.a -o $@ $(LIBS)

# The package's own tests, numpy's TestGradient and scikit-image's edge and
# Canny tests with imgrad's functions substituted (python/tests/).
check-python: deps-python-build
	$(MAKE) python
	PYTHONPATH=python $(PYTHON) -m pytest -q -p no:cacheprovider python/tests
	$(MAKE) check-python-install

# The offline install a user does: a venv over Debian's packages, pip without
# the network or build isolation, then an import from outside the repo.
check-python-install: $(BUILD)/libimgrad.a
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"; rm -rf python/build python/imgrad.egg-info' EXIT && \
	$(PYTHON) -m venv --system-site-packages "$$tmp/venv" && \
	"$$tmp/venv/bin/pip" install -q --no-index --no-build-isolation ./python && \
	cd "$$tmp" && "$$tmp/venv/bin/python" -c 'import imgrad; \
	assert imgrad.__file__.startswith("'"$$tmp"'"), imgrad.__file__; \
	assert list(imgrad.gradient([3, 7, 14, 23, 36, 47])) == [4, 5.5, 8, 11, 12, 11]' && \
	echo "check-python-install: pip install into a venv and import: ok"

# Times imgrad.gradient against numpy.gradient (fresh memory, repeated calls,
# out= reused) and the scikit-image drop-ins in one run on two threads, a few
# minutes, and rewrites only the Python section of BENCHMARKS.md (between its
# markers; make bench keeps that section).  Run it on a quiet machine.
bench-python: deps-python-build
	$(MAKE) python
	OMP_NUM_THREADS=2 PYTHONPATH=python $(PYTHON) python/bench/bench_python.py --repeat 5 \
	    --python $(PYTHON) --update BENCHMARKS.md
