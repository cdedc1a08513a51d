"""imgrad.dask.gradient: numpy.gradient on dask arrays beyond one machine's
memory, each chunk computed by imgrad with the halo it needs, the array's
true edges treated as numpy treats them; bit for bit numpy's result.

    import dask.array as da, imgrad.dask
    g0, g1 = imgrad.dask.gradient(da.from_zarr(...), 0.5, axis=(0, 1))
"""
import numpy as np
import dask.array as da
from numpy.core.numeric import normalize_axis_tuple

from . import _core, _step

__all__ = ["gradient"]


def _axis_spacing(f, varargs, axes):
    """numpy.gradient's spacing arguments (the same checks and errors) as
    one entry per axis: ("step", (value, type)) or ("coords", array, steps
    uniform) with the uniformity numpy decides on the whole axis."""
    n, len_axes = len(varargs), len(axes)
    if n == 0:
        varargs = (1.0,) * len_axes
    elif n == 1 and np.ndim(varargs[0]) == 0:
        varargs = varargs * len_axes
    elif n != len_axes:
        raise TypeError("invalid number of arguments")
    out = []
    for i, distances in enumerate(varargs):
        distances = np.asanyarray(distances)
        if distances.ndim == 0:
            step = _step(distances[()] if type(varargs[i]) is np.ndarray else varargs[i])
            if step is None:
                raise TypeError("imgrad.dask: unsupported spacing %r" % (varargs[i],))
            out.append(("step", (float(step[0]), step[1])))
            continue
        if distances.ndim != 1:
            raise ValueError("distances must be either scalars or 1d")
        if len(distances) != f.shape[axes[i]]:
            raise ValueError("when 1d, distances must match "
                             "the length of the corresponding dimension")
        if distances.dtype.kind not in "iuf" or distances.dtype.itemsize > 8:
            raise TypeError("imgrad.dask: unsupported coordinates dtype %s" % distances.dtype)
        x = distances.astype(np.float64) if distances.dtype.kind in "iu" else distances
        diffx = np.diff(x)
        if len(diffx) and (diffx == diffx[0]).all():
            out.append(("step", _step(diffx[0])))    # numpy's uniform branch
        else:
            out.append(("coords", np.ascontiguousarray(x)))
    return out


def _block(block, ax, spacing, edge_order, halo, axis_chunks, otype, threads,
           block_info=None):
    """The derivative along axis ax of one chunk extended by its halo (the
    chunks of the whole axis give the chunk's place in the coordinates)."""
    out = np.empty(block.shape, dtype=otype)
    if spacing[0] == "step":
        sp = (spacing[1][0], spacing[1][1], None)
    else:
        loc = block_info[0]["chunk-location"][ax]
        start = sum(axis_chunks[:loc]) - (halo if loc > 0 else 0)
        sp = (1.0, 0, spacing[1][start:start + block.shape[ax]], 1)
    _core.gradient_nd(block, (ax,), [sp], edge_order, [out], threads)
    return out


def gradient(f, *varargs, axis=None, edge_order=1, threads=0):
    """numpy.gradient of a dask array, lazily, chunk by chunk.

    Parameters
    ----------
    f : dask.array.Array (or array_like)
        Integer or float16/32/64 values; any chunks.
    varargs, axis, edge_order
        As numpy.gradient: scalar spacing or 1-D coordinates per axis.
    threads : int, optional
        OpenMP threads per chunk (0: OMP_NUM_THREADS or every core; use 1
        when dask already runs one task per core).

    Returns
    -------
    gradient : dask.array.Array or list of them
        One per differentiated axis, numpy's dtype; computing it gives
        numpy.gradient's values bit for bit.

    Notes
    -----
    Each chunk is extended by edge_order values from its neighbours along
    the differentiated axis (map_overlap with boundary='none'): a central
    difference needs one, and the array's true edges are computed by the
    one-sided formulas, as numpy does.  Coordinates are checked for uniform
    steps on the whole axis, as numpy does, never chunk by chunk.
    """
    f = da.asarray(f)
    if f.dtype.kind == "b":
        raise TypeError("numpy boolean subtract, the `-` operator, is not supported, "
                        "use the bitwise_xor, the `^` operator, or the logical_xor "
                        "function instead.")
    if f.dtype.kind not in "iuf" or f.dtype.itemsize > 8 or f.ndim == 0:
        raise TypeError("imgrad.dask: unsupported array (dtype %s, ndim %d)"
                        % (f.dtype, f.ndim))
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    axes = tuple(range(f.ndim)) if axis is None else normalize_axis_tuple(axis, f.ndim)
    spacing = _axis_spacing(f, varargs, axes)
    otype = f.dtype if f.dtype.kind == "f" else np.dtype(np.float64)
    outs = []
    for ax, sp in zip(axes, spacing):
        if f.shape[ax] < edge_order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, "
                "at least (edge_order + 1) elements are required.")
        g = f
        if min(f.chunks[ax]) < edge_order:    # a halo must fit in a chunk
            g = f.rechunk({ax: max(edge_order, max(f.chunks[ax]))})
        depth = {d: (edge_order if d == ax else 0) for d in range(f.ndim)}
        outs.append(g.map_overlap(_block, depth=depth, boundary="none", trim=True,
                                  dtype=otype, ax=ax, spacing=sp, edge_order=edge_order,
                                  halo=edge_order, axis_chunks=g.chunks[ax], otype=otype,
                                  threads=threads))
    return outs[0] if len(outs) == 1 else outs
