"""Builds the imgrad Python package offline with Debian's tools:

    python3 -m venv --system-site-packages V
    V/bin/pip install --no-index --no-build-isolation ./python

The extension links the repository's build/libimgrad.a (made by `make`,
with the library's floating-point flags and -fPIC; built here if missing),
so it needs this folder inside the imgrad repository."""
import os
import re
import subprocess

import numpy
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HEADER = os.path.join(ROOT, "include", "imgrad.h")
LIB = os.path.join(ROOT, "build", "libimgrad.a")

if not os.path.exists(HEADER):
    raise SystemExit("imgrad: %s not found: build the package from the python/ folder "
                     "of the imgrad repository" % HEADER)
if not os.path.exists(LIB):
    subprocess.check_call(["make", "-C", ROOT, "build/libimgrad.a"])

with open(HEADER) as f:
    VERSION = re.search(r'#define IMGRAD_VERSION "([^"]+)"', f.read()).group(1)

setup(
    name="imgrad",
    version=VERSION,
    description="numpy.gradient and scikit-image edge filters, bit for bit, in parallel C",
    packages=["imgrad"],
    ext_modules=[Extension(
        "imgrad._core",
        sources=["imgrad/_core.c", "imgrad/blockcache.c"],
        depends=["imgrad/blockcache.h"],
        include_dirs=[os.path.join(ROOT, "include"), numpy.get_include()],
        extra_objects=[LIB],
        # the codecs libimgrad.a calls, as the Makefile's LIBS
        libraries=["jpeg", "png16", "deflate", "tiff", "webp", "heif", "spng", "m"],
        extra_compile_args=["-fopenmp", "-ffp-contract=off"],
        extra_link_args=["-fopenmp"],
    )],
    python_requires=">=3.9",
)
