"""The block cache behind imgrad.gradient's output arrays.

Touching a new large array for the first time costs page faults: the kernel
maps and zeroes every page, which on a 4096x4096 float64 image takes longer
than imgrad's arithmetic.  So imgrad.gradient allocates its outputs of 4 MiB
and more through a numpy memory handler of its own (blockcache.c in the
extension): when such an array is freed, its block is kept, up to a limit,
and the next output of the same size reuses it with its pages mapped.  Only
imgrad.gradient's outputs use it; an array's block is kept only once numpy
frees the array (no view, base or buffer refers to it any longer).

The limit defaults to min(1 GiB, 1/8 of memory), at most 8 blocks; the
environment variable IMGRAD_CACHE (read at import: a size in bytes, or with
K, M, G suffixes, 0 for off) or set_cache() change it.  See docs/python.md,
"Memory".
"""
import os
import re
import warnings

from . import _core

_GIB = 1 << 30


def _memory_bytes():
    """Physical memory, or the cgroup v2 memory.max of this process when
    lower; 0 when unknown."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        total = 0
    try:
        with open("/proc/self/cgroup") as f:
            paths = [line.split(":", 2)[2].strip() for line in f if line.startswith("0::")]
        with open("/sys/fs/cgroup%s/memory.max" % paths[0].rstrip("/")) as f:
            text = f.read().strip()
        if text.isdigit() and (total == 0 or int(text) < total):
            total = int(text)
    except (OSError, IndexError):
        pass
    return total


def default_limit():
    """The default limit: min(1 GiB, 1/8 of physical memory or of the
    cgroup's memory.max, whichever is lower); 1 GiB when unknown."""
    total = _memory_bytes()
    return min(_GIB, total // 8) if total > 0 else _GIB


def _parse_size(text):
    """Bytes in "0", "268435456", "512M", "1.5G" (K, M, G, T: powers of 1024;
    "off" is 0); ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if text.strip().lower() == "off":
        return 0
    if not m:
        raise ValueError("not a size: %r" % text)
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " "))


def set_cache(limit=None):
    """Set the most memory, in bytes, that imgrad keeps in freed output
    blocks for reuse (0 turns the cache off and returns what it holds to the
    system; None restores the default, min(1 GiB, 1/8 of memory)).  Returns
    the previous limit.  With the cache off, imgrad.gradient allocates its
    outputs with numpy's own allocator, as numpy.gradient does."""
    if limit is None:
        limit = default_limit()
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError("imgrad.set_cache: limit must be an int >= 0 (bytes) or None, "
                         "not %r" % (limit,))
    return _core.cache_limit(limit)


def release_memory():
    """Return every block the cache holds to the system; the number of
    bytes released.  Arrays in use are not affected, and the cache stays
    on: later frees fill it again."""
    return _core.cache_release()


def cache_info():
    """The cache's state, a dict: limit and held (bytes), blocks (kept now),
    hits and misses (outputs of at least min_block bytes served from the
    cache or by new memory, since import), min_block, max_blocks and
    handler (the name numpy.core.multiarray.get_handler_name gives arrays
    from the cache)."""
    return _core.cache_info()


def _init_from_environment():
    text = os.environ.get("IMGRAD_CACHE")
    limit = default_limit()
    if text is not None and text.strip():
        try:
            limit = _parse_size(text)
        except ValueError:
            warnings.warn("imgrad: IMGRAD_CACHE=%r is not a size (such as 0, 512M, 1G); "
                          "using the default, %d bytes" % (text, limit), RuntimeWarning)
    _core.cache_limit(limit)


_init_from_environment()
