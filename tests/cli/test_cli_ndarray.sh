#!/bin/bash
# CLI tests of .npy arrays of any rank (issue 14): numpy.gradient through
# imgrad_gradient_nd, checked bit for bit against Debian's numpy (float32
# outputs against numpy's result rounded to float32, --dtype float64 against
# numpy's own bits), and the messages of what the path refuses.
SUITE=cli_ndarray
. "$(dirname "$0")/testlib.sh"
PY=/usr/bin/python3

if ! "$PY" -c "import numpy" 2>/dev/null; then
    skip "Debian's numpy (python3-numpy) is not installed"
    finish
    exit $?
fi

# the inputs: the tutorials' vector, a float64 volume, a float32 volume, a
# uint8 (N, H, W) stack, an int16 vector, a Fortran-order volume
"$PY" - "$TMP" <<'EOF'
import sys, numpy as np
d, r = sys.argv[1], np.random.default_rng(14)
np.save(f"{d}/v.npy", np.array([8, 2, 8, 3, 5, 6, 5, 15], dtype=np.float64))
np.save(f"{d}/vol.npy", r.standard_normal((9, 10, 11)) * 1e3)
np.save(f"{d}/vol32.npy", r.standard_normal((6, 7, 8)).astype(np.float32))
np.save(f"{d}/stack.npy", r.integers(0, 256, (5, 12, 13)).astype(np.uint8))
np.save(f"{d}/iv.npy", r.integers(-30000, 30000, 40).astype(np.int16))
np.save(f"{d}/fvol.npy", np.asfortranarray(r.standard_normal((5, 6, 7))))
np.save(f"{d}/four.npy", r.standard_normal((3, 4, 5, 6)))
np.save(f"{d}/flag.npy", np.ones((3, 4, 5), dtype=bool))
EOF

# check NAME DTYPE PYEXPR: each written dK equals numpy's, bit for bit.
# PYEXPR computes `g`, numpy's list of derivatives, from `a` and `axes`.
check() {
    if "$PY" - "$TMP" "$1" "$2" "$3" <<'EOF' 2>"$TMP/perr"
import sys, numpy as np
d, name, dtype, expr = sys.argv[1:5]
a = np.load(f"{d}/{name}.npy")
env = {"np": np, "a": a}
exec(expr, env)
g, axes = env["g"], env["axes"]
g = g if isinstance(g, list) else [g]
for k, want in zip(axes, g):
    got = np.load(f"{d}/res/{name}.d{k}.npy")
    want = want.astype(dtype)
    assert got.dtype == want.dtype and got.shape == want.shape, (k, got.dtype, got.shape)
    assert got.tobytes() == want.tobytes(), f"axis {k}: {np.abs(got - want).max()}"
EOF
    then ok; else bad "$1 ($2): $(tail -n 1 "$TMP/perr")"; fi
}

# a 1-D vector with --dx 7: np.gradient(v, 7)
run_ok "vector --dx 7" "$TMP/o1" "$IMGRAD" --format npy --dx 7 -o "$TMP/res" "$TMP/v.npy"
check v float32 "g = np.gradient(a, 7); axes = [0]"
"$PY" -c "import numpy as np, sys; print(np.load(sys.argv[1]).tolist())" "$TMP/res/v.d0.npy" \
    > "$TMP/vals"
expect_grep "^\[-0.857142865657806[0-9]*, 0.0, 0.0714285746216774[0-9]*," "$TMP/vals" \
    "the tutorial's values"
run_ok "vector float64" "$TMP/o1" "$IMGRAD" --format npy --dx 7 --dtype float64 -o "$TMP/res" \
    "$TMP/v.npy"
check v float64 "g = np.gradient(a, 7); axes = [0]"
run_ok "vector --spacing 7 edge 2" "$TMP/o1" "$IMGRAD" --format npy --spacing 7 --edge-order 2 \
    --dtype float64 -o "$TMP/res" "$TMP/v.npy"
check v float64 "g = np.gradient(a, 7, edge_order=2); axes = [0]"

# a 3-D volume: d0, d1, d2 = gz, gy, gx, float32 and float64
run_ok "volume" "$TMP/o1" "$IMGRAD" --format npy -o "$TMP/res" "$TMP/vol.npy"
check vol float32 "g = np.gradient(a); axes = [0, 1, 2]"
expect_file "$TMP/res/vol.magnitude.npy"
run_ok "volume float64 spacing" "$TMP/o1" "$IMGRAD" --format npy --dtype float64 \
    --spacing 1,0.5,0.25 --edge-order 2 -o "$TMP/res" "$TMP/vol.npy"
check vol float64 "g = np.gradient(a, 1, 0.5, 0.25, edge_order=2); axes = [0, 1, 2]"
# --dx is the last axis' step, --dy the one before; AXIS=STEP for any
run_ok "volume dx dy" "$TMP/o1" "$IMGRAD" --format npy --dtype float64 --dx 0.3 --dy 2 \
    --spacing 0=5 -o "$TMP/res" "$TMP/vol.npy"
check vol float64 "g = np.gradient(a, 5, 2, 0.3); axes = [0, 1, 2]"
# float32 volumes are computed in float32, as numpy does
run_ok "float32 volume" "$TMP/o1" "$IMGRAD" --format npy --spacing 0.1 -o "$TMP/res" \
    "$TMP/vol32.npy"
check vol32 float32 "g = np.gradient(a, 0.1); axes = [0, 1, 2]"
# Fortran order and rank 4
run_ok "fortran volume" "$TMP/o1" "$IMGRAD" --format npy --dtype float64 -o "$TMP/res" \
    "$TMP/fvol.npy"
check fvol float64 "g = np.gradient(a); axes = [0, 1, 2]"
run_ok "rank 4" "$TMP/o1" "$IMGRAD" --format npy --axis 0,-1 -o "$TMP/res" "$TMP/four.npy"
check four float32 "g = np.gradient(a, axis=(0, 3)); axes = [0, 3]"
expect_no_file "$TMP/res/four.d1.npy"

# a uint8 stack along axes 1 and 2: computed in float64, as numpy does
run_ok "stack --axis 1,2" "$TMP/o1" "$IMGRAD" --format npy --axis 1,2 -o "$TMP/res" \
    "$TMP/stack.npy"
check stack float32 "g = np.gradient(a, axis=(1, 2)); axes = [1, 2]"
expect_no_file "$TMP/res/stack.d0.npy"
run_ok "stack float64" "$TMP/o1" "$IMGRAD" --format npy --axis 1,2 --dtype float64 \
    --edge-order 2 -o "$TMP/res" "$TMP/stack.npy"
check stack float64 "g = np.gradient(a, axis=(1, 2), edge_order=2); axes = [1, 2]"
run_ok "int16 vector" "$TMP/o1" "$IMGRAD" --format npy --dtype float64 --dx 3 -o "$TMP/res" \
    "$TMP/iv.npy"
check iv float64 "g = np.gradient(a, 3); axes = [0]"

# the magnitude: the Euclidean norm over the differentiated axes
if "$PY" - "$TMP" <<'EOF'
import sys, numpy as np
d = sys.argv[1]
g = np.gradient(np.load(f"{d}/stack.npy"), axis=(1, 2), edge_order=2)
m = np.load(f"{d}/res/stack.magnitude.npy")
assert m.dtype == np.float64 and np.allclose(m, np.sqrt(g[0]**2 + g[1]**2), rtol=1e-15, atol=0)
EOF
then ok; else bad "stack magnitude"; fi

# a 2-D .npy without the N-D options keeps the picture path (gx, gy names)
"$PY" -c "import numpy as np, sys; np.save(sys.argv[1], np.arange(20.).reshape(4, 5) ** 2)" \
    "$TMP/m.npy"
run_ok "2-D picture path" "$TMP/o1" "$IMGRAD" --format npy --outputs gx -o "$TMP/res" "$TMP/m.npy"
expect_file "$TMP/res/m.gx.npy"
expect_no_file "$TMP/res/m.d1.npy"
run_ok "2-D --dtype float64" "$TMP/o1" "$IMGRAD" --format npy --dtype float64 -o "$TMP/res" \
    "$TMP/m.npy"
check m float64 "g = np.gradient(a); axes = [0, 1]"

# refusals: one line naming the file and what to do
expect_status 1 "volume as png" "$IMGRAD" -o "$TMP/res" "$TMP/vol.npy"
expect_grep "vol.npy: a 3-D array has no picture: add --format npy" "$TMP/err" "png refusal"
expect_status 1 "vector as png" "$IMGRAD" -o "$TMP/res" "$TMP/v.npy"
expect_grep "a 1-D array has no picture" "$TMP/err" "1-D png refusal"
expect_status 1 "axis out of range" "$IMGRAD" --format npy --axis 3 -o "$TMP/res" "$TMP/vol.npy"
expect_grep "axis 3: the array has 3 axes (0..2)" "$TMP/err" "axis range message"
expect_status 1 "spacing count" "$IMGRAD" --format npy --spacing 1,2 -o "$TMP/res" "$TMP/vol.npy"
expect_grep "2 steps for 3 differentiated axes" "$TMP/err" "spacing count message"
expect_status 1 "product" "$IMGRAD" --format npy --outputs direction -o "$TMP/res" "$TMP/vol.npy"
expect_grep "gives dK" "$TMP/err" "product message"
expect_status 1 "bool array" "$IMGRAD" --format npy -o "$TMP/res" "$TMP/iv.npy" \
    "$TMP/flag.npy"
expect_grep "flag.npy: a bool array" "$TMP/err" "bool message"
expect_status 2 "bad dtype" "$IMGRAD" --format npy --dtype float16 "$TMP/v.npy"
expect_grep "dtype: unknown value 'float16' (choose float32, float64)" "$TMP/err" "dtype message"
expect_status 2 "repeated axis" "$IMGRAD" --format npy --axis 1,1 "$TMP/v.npy"
expect_grep "axis 1 is repeated" "$TMP/err" "repeated axis message"
expect_status 2 "zero spacing" "$IMGRAD" --format npy --spacing 0 "$TMP/v.npy"
expect_grep "spacing: expected a nonzero finite number" "$TMP/err" "zero spacing message"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
expect_status 1 "N-D options on a photo" "$IMGRAD" --format npy --axis 0 -o "$TMP/res" \
    "$A/camera.png"
expect_grep "apply to .npy arrays, not to pictures" "$TMP/err" "photo message"

finish
