#!/bin/bash
# CLI tests of `imgrad field` and the photo pictures: caret errors, --at,
# descent, --trace, and the .npy arrays against analytic derivatives.
SUITE=cli_field
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
PY=/usr/bin/python3

# a syntax error: the expression, a caret under the '*' (column 6), exit 2
expect_status 2 "caret error" "$IMGRAD" field "x^2 + * y"
expect_grep "syntax error" "$TMP/err" "caret message"
expect_grep "^  x^2 + \* y$" "$TMP/err" "expression echoed"
expect_grep "^        \^$" "$TMP/err" "caret column"
expect_status 2 "no expression" "$IMGRAD" field
expect_status 2 "bad range" "$IMGRAD" field x --x 2:1
expect_status 2 "bad grid" "$IMGRAD" field x --grid 1x5
expect_status 0 "help" "$IMGRAD" field --help
expect_grep "Usage: imgrad field" "$TMP/out" "help text"

# the gradient check: exact (-4, -8) and a grid estimate, no files written
run_ok "--at" "$TMP/at" env -C "$TMP" "$IMGRAD" field "(5 - x - 2*y)^2" --at 1,1
expect_grep "^f(1, 1) = 4$" "$TMP/at" "--at value"
expect_grep "^exact gradient: (-4, -8)$" "$TMP/at" "--at exact gradient"
expect_grep "^grid gradient:  (-4\.0*[0-9]*, -[78]\.[09]*[0-9]*)" "$TMP/at" "--at grid estimate"
expect_no_file "$TMP/imgrad-out"

# descent on x^2+y^2: x_k = 0.8^k x_0; 21 rows after the header
run_ok "descent" "$TMP/trace" "$IMGRAD" field "x^2+y^2" --descent 1.5,1 --rate 0.1 --steps 20 \
    --trace -o "$TMP/d"
expect_lines 22 "$TMP/trace" "trace rows"
if [ "$(head -n 1 "$TMP/trace")" = "step,x,y,f" ]; then ok; else bad "trace header"; fi
if awk -F, 'NR == 22 { w = 0.8 ^ 20; dx = $2 - 1.5 * w; dy = $3 - w;
            exit !($1 == 20 && dx * dx + dy * dy < 0.01 * 0.01 && ($4 - ($2*$2 + $3*$3))^2 < 1e-16) }' \
       "$TMP/trace"; then ok; else bad "descent end point: $(tail -n 1 "$TMP/trace")"; fi
expect_file "$TMP/d/field.plot.png"
# the grid method follows the same path closely on a quadratic
run_ok "grid descent" "$TMP/trace2" "$IMGRAD" field "x^2+y^2" --descent 1.5,1 --steps 20 \
    --method grid --trace --outputs f -o "$TMP/d"
if awk -F, 'NR == 22 { exit !(($2 - 0.0173)^2 + ($3 - 0.0115)^2 < 1e-6) }' "$TMP/trace2"; then ok
else bad "grid descent end: $(tail -n 1 "$TMP/trace2")"; fi

# non-finite values: warned about, drawn, exit 0
expect_status 0 "log of negatives" "$IMGRAD" field "log(x) + 1/y" -o "$TMP/nf" --size 300 \
    --outputs plot,f
expect_grep "not finite" "$TMP/err" "non-finite warning"
expect_file "$TMP/nf/field.plot.png"

# photo pictures; .npy is not a picture format, so they come out as PNG
expect_status 0 "quiver and isolines" "$IMGRAD" -o "$TMP/p" --format npy \
    --outputs quiver,isolines,gx "$A/camera.png"
expect_file "$TMP/p/camera.quiver.png"
expect_file "$TMP/p/camera.isolines.png"
expect_file "$TMP/p/camera.gx.npy"
expect_status 2 "bad quiver step" "$IMGRAD" --quiver-step 1 --outputs quiver "$A/camera.png"

if ! "$PY" -c "import numpy" 2>/dev/null; then
    echo "cli_field: $PY has no numpy: the .npy parity checks did not run" >&2
    bad "numpy missing for the parity checks"
    finish; exit
fi

# held-out functions quadratic in each variable: the grid gradient at edge
# order 2 equals the analytic partials within 1e-4 of the largest |value|,
# f within 1e-5; rows run from y = D down to y = C
check_npy() { # EXPR XR YR GRID  then python expressions for f, fx, fy of X, Y
    "$IMGRAD" field "$1" --x "$2" --y "$3" --grid "$4" --edge-order 2 --format npy \
        --outputs f,gx,gy,gx_exact,gy_exact,error,magnitude -o "$TMP/q" 2>"$TMP/err" \
        || { bad "field $1: $(cat "$TMP/err")"; return; }
    if "$PY" - "$TMP/q" "$2" "$3" "$4" "$5" "$6" "$7" <<'PYEOF'
import sys, numpy as np
d, xr, yr, grid, fs, fxs, fys = sys.argv[1:]
a, b = map(float, xr.split(':')); c, dd = map(float, yr.split(':'))
w, h = map(int, grid.split('x'))
X, Y = np.meshgrid(np.linspace(a, b, w), np.linspace(dd, c, h))
want = {'f': eval(fs), 'gx': eval(fxs), 'gy': eval(fys)}
want['gx_exact'], want['gy_exact'] = want['gx'], want['gy']
bad = 0
for name, tol in (('f', 1e-5), ('gx', 1e-4), ('gy', 1e-4), ('gx_exact', 1e-6), ('gy_exact', 1e-6)):
    got = np.load(f"{d}/field.{name}.npy").astype(np.float64)
    ref = np.broadcast_to(want[name], got.shape)
    err = np.abs(got - ref).max() / max(np.abs(ref).max(), 1.0)
    if got.shape != (h, w) or not err <= tol:
        print(f"{name}: shape {got.shape}, relative error {err}", file=sys.stderr); bad = 1
mag = np.load(f"{d}/field.magnitude.npy")
if np.abs(mag - np.hypot(want['gx'], want['gy'])).max() > 1e-4 * np.abs(mag).max(): bad = 1
e = np.load(f"{d}/field.error.npy")
if e.max() > 1e-4 * mag.max(): bad = 1
sys.exit(bad)
PYEOF
    then ok; else bad "npy parity for $1"; fi
}
check_npy "3*x^2 - 2*x*y + 0.5*y^2 + x - 4*y + 7" -1:3 -2:1 61x45 \
    "3*X**2 - 2*X*Y + 0.5*Y**2 + X - 4*Y + 7" "6*X - 2*Y + 1" "-2*X + Y - 4"
check_npy "(x - 1)^2 * (y + 2)^2" -2:2 -3:0.5 80x33 \
    "(X-1)**2 * (Y+2)**2" "2*(X-1)*(Y+2)**2" "2*(X-1)**2*(Y+2)"
check_npy "x*y + y^2 - 5" 0:1 -1:4 17x101 "X*Y + Y**2 - 5" "Y" "X + 2*Y"
# y alone: gy must be +1 everywhere (math orientation), not -1
check_npy "y" -1:1 -1:1 5x7 "0*X + Y" "0*X" "0*X + 1"

# the plot is a real colour picture, --size pixels wide
run_ok "plot" "$TMP/out" "$IMGRAD" field "x^2 - y^2" --size 600 --levels 0,-1,1 -o "$TMP/s"
if "$PY" -c "
import sys; from PIL import Image
im = Image.open('$TMP/s/field.plot.png').convert('RGB')
sys.exit(not (im.size[0] == 600 and len(set(im.getdata())) > 200))" 2>"$TMP/err"; then ok
else bad "plot picture: $(cat "$TMP/err")"; fi
# -- issue 14: formulas in any variables (alphabetical order), --at in any
# dimension, --stationary by Newton's method with the exact Hessian
run_ok "--at a, b" "$TMP/ab" "$IMGRAD" field "(5 - a - 2*b)^2" --at 1,1
expect_grep "^variables: a, b$" "$TMP/ab" "variables named"
expect_grep "^exact gradient: (-4, -8)$" "$TMP/ab" "--at in a, b"
run_ok "--at x, y, z" "$TMP/xyz" "$IMGRAD" field "x - x*y + z^2" --at 1,2,3
expect_grep "^f(1, 2, 3) = 8$" "$TMP/xyz" "--at 3-D value"
expect_grep "^exact gradient: (-1, -1, 6)$" "$TMP/xyz" "--at 3-D gradient"
expect_no_file "$TMP/imgrad-out"
run_ok "--stationary" "$TMP/st" "$IMGRAD" field \
    "(2.1-w0-w1)^2 + (2.9-w0-3*w1)^2 + (4.1-w0-5*w1)^2" --stationary 0,0
expect_grep "^stationary point: (1\.53333333[0-9]*, 0\.5[0-9]*)$" "$TMP/st" "least-squares point"
expect_grep "^minimum " "$TMP/st" "a minimum"
run_ok "--stationary saddle" "$TMP/st2" "$IMGRAD" field "x^2 - y^2 + 2*x" --stationary 3,4
expect_grep "^stationary point: (-1, 0)$" "$TMP/st2" "saddle point"
expect_grep "^saddle point " "$TMP/st2" "a saddle"
run_ok "--stationary maximum" "$TMP/st3" "$IMGRAD" field -- "-(a-1)^2 - (b+2)^2 - (c-3)^2 + a*b/10" \
    --stationary 0,0,0
expect_grep "^maximum " "$TMP/st3" "a maximum in 3-D"
# the exact Hessian of a non-polynomial: cos(u) + v^2 has a minimum at (pi, 0)
run_ok "--stationary cos" "$TMP/st4" "$IMGRAD" field "cos(u) + v^2" --stationary 3,0.5
expect_grep "^stationary point: (3\.141592654, 0)$" "$TMP/st4" "Newton on cos"
expect_status 2 "--at count" "$IMGRAD" field "x - x*y + z^2" --at 1,2
expect_grep "at gives 2 values; the formula has 3 variables (x, y, ...)" "$TMP/err" "count message"
expect_status 2 "3-D picture" "$IMGRAD" field "x + y + z" -o "$TMP/p3"
expect_grep "show two variables; this formula has 3: use --at or --stationary" "$TMP/err" \
    "3-D picture message"
expect_no_file "$TMP/p3"
expect_status 1 "singular Hessian" "$IMGRAD" field "a + b" --stationary 0,0
expect_grep "the Hessian is singular" "$TMP/err" "singular message"

# -- issue 12: a formula starting with '-', '--' then options, no -0, range
# messages that name the option and the valid range, and a work cap
expect_status 2 "leading minus" "$IMGRAD" field "-x^2"
expect_grep "'-x^2' starts with '-' and would be read as options: put the expression after '--'" \
    "$TMP/err" "leading minus hint"
expect_lines 1 "$TMP/err" "leading minus: one line"
run_ok "-- then options" "$TMP/neg" "$IMGRAD" field -- "-x^2" --at 1,1
expect_grep "^exact gradient: (-2, 0)$" "$TMP/neg" "options after -- and no -0"
expect_status 2 "two expressions" "$IMGRAD" field -- "-x^2" "y"
expect_grep "give one expression" "$TMP/err" "two expressions message"
run_ok "negative value of --at" "$TMP/neg2" "$IMGRAD" field "x*y" --at -1,0
if grep -qE -- "(^|[^0-9.e])-0([,) ]|$)" "$TMP/neg2"; then bad "-0 printed: $(cat "$TMP/neg2")"
else ok; fi
expect_grep "^exact gradient: (0, -1)$" "$TMP/neg2" "x*y at (-1, 0)"
expect_status 2 "grid range" "$IMGRAD" field x --grid 1x5
expect_grep "grid: expected WxH with W and H in 2\.\.16384, got '1x5'" "$TMP/err" "grid range message"
expect_status 2 "size range" "$IMGRAD" field x --size 10
expect_grep "size: expected 64\.\.16384, got '10'" "$TMP/err" "size range message"
expect_status 2 "x range" "$IMGRAD" field x --x 2:1
expect_grep "x: expected LO:HI, two finite numbers with LO < HI, got '2:1'" "$TMP/err" "x range message"
expect_status 2 "edge order" "$IMGRAD" field x --edge-order 3
expect_grep "edge-order: expected 1 or 2, got '3'" "$TMP/err" "edge order message"
"$PY" -c "print('+'.join(['x'] * 60000))" > "$TMP/big.txt"
SECONDS=0
expect_status 2 "work cap" "$IMGRAD" field "$(cat "$TMP/big.txt")" -o "$TMP/big"
expect_grep "on a 201x201 grid is .* evaluations, above the limit" "$TMP/err" "work cap message"
if [ "$SECONDS" -lt 10 ]; then ok; else bad "work cap took ${SECONDS}s"; fi
# the same expression at one point needs no grid
expect_status 0 "big --at" "$IMGRAD" field "$(cat "$TMP/big.txt")" --at 1,2

finish
