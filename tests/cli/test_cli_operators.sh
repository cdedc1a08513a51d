#!/bin/bash
# CLI tests of the operators, borders, smoothing, Canny edges, hsv, legend
# and --compat presets.
SUITE=cli-operators
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)

# float32 values of a .npy file (header skipped), one per line, distinct
npy_values() {
    hdr=$(( 10 + $(od -A n -t u2 -j 8 -N 2 "$1" | tr -d ' ') ))
    od -A n -v -t f4 -j "$hdr" "$1" | tr -s ' ' '\n' | sed '/^$/d' | sort -g -u
}

expect_status 0 "help" "$IMGRAD" --help
for d in "/ 8" "/ 32" "/ 6" "/ 2" "reflect101" "wrap" "--compat" "edges" "hsv"; do
    expect_grep "$d" "$TMP/out" "help lists $d"
done
expect_status 2 "bad operator" "$IMGRAD" --operator sobol "$A/camera.png"
expect_status 2 "bad border" "$IMGRAD" --border nosuch "$A/camera.png"
expect_status 2 "bad norm" "$IMGRAD" --norm l3 "$A/camera.png"
expect_status 2 "bad angle" "$IMGRAD" --angle grad "$A/camera.png"
expect_status 2 "negative sigma" "$IMGRAD" --sigma -1 "$A/camera.png"
expect_status 2 "bad low" "$IMGRAD" --low x "$A/camera.png"
expect_status 2 "bad compat" "$IMGRAD" --compat matlab "$A/camera.png"
expect_status 2 "bad kernel scale" "$IMGRAD" --kernel-scale big "$A/camera.png"

# every product with every operator, smoothed and not
for op in central sobel scharr prewitt roberts; do
    expect_status 0 "$op all products" "$IMGRAD" -o "$TMP/$op" --operator $op --sigma 1 \
        --border wrap --outputs gx,gy,magnitude,direction,edges,hsv "$A/chelsea.png"
    for p in gx gy magnitude direction edges hsv; do expect_file "$TMP/$op/chelsea.$p.png"; done
done

# edges: 0/1 in .npy, thresholds printed with -v; hsv stays an image
expect_status 0 "edges npy" "$IMGRAD" -v -o "$TMP/e" --format npy --operator sobel \
    --outputs edges,hsv "$A/camera.png"
expect_grep "canny thresholds low [0-9.]* high [0-9.]* (automatic)" "$TMP/err" "auto thresholds"
expect_file "$TMP/e/camera.hsv.png"
if [ "$(npy_values "$TMP/e/camera.edges.npy" | tr '\n' ' ')" = "0 1 " ]; then ok
else bad "edges .npy holds $(npy_values "$TMP/e/camera.edges.npy" | head -5 | tr '\n' ' ')"; fi
expect_status 0 "given thresholds" "$IMGRAD" -v -o "$TMP/e" --low 0.05 --high 0.2 \
    --outputs edges "$A/camera.png"
expect_grep "low 0.05 high 0.2$" "$TMP/err" "given thresholds printed"
# higher thresholds give fewer edge pixels
"$IMGRAD" -q -o "$TMP/lo" --format npy --low 0.02 --high 0.05 --outputs edges "$A/camera.png"
"$IMGRAD" -q -o "$TMP/hi" --format npy --low 0.2 --high 0.4 --outputs edges "$A/camera.png"
nlo=$(od -A n -v -t f4 -j 128 "$TMP/lo/camera.edges.npy" | tr -s ' ' '\n' | grep -c '^1$')
nhi=$(od -A n -v -t f4 -j 128 "$TMP/hi/camera.edges.npy" | tr -s ' ' '\n' | grep -c '^1$')
if [ "$nhi" -gt 0 ] && [ "$nhi" -lt "$nlo" ]; then ok; else bad "edge counts $nlo, $nhi"; fi

# --compat opencv: direction in [0, 2pi); --angle deg --angle-range positive in [0, 360)
expect_status 0 "compat opencv" "$IMGRAD" -o "$TMP/cv" --format npy --compat opencv \
    --outputs direction "$A/coffee.png"
min=$(npy_values "$TMP/cv/coffee.direction.npy" | head -1)
max=$(npy_values "$TMP/cv/coffee.direction.npy" | tail -1)
if awk "BEGIN{exit !($min >= 0 && $max < 6.2832 && $max > 6)}"; then ok
else bad "opencv direction range $min .. $max"; fi
"$IMGRAD" -q -o "$TMP/deg" --format npy --angle deg --outputs direction "$A/coffee.png"
max=$(npy_values "$TMP/deg/coffee.direction.npy" | tail -1)
if awk "BEGIN{exit !($max > 170 && $max <= 180)}"; then ok; else bad "degrees max $max"; fi

# results do not depend on the thread count
for t in 1 2 3; do
    "$IMGRAD" -q -t $t -o "$TMP/t$t" --format npy --operator scharr --sigma 1.5 \
        --outputs gx,magnitude,edges "$A/brick.png"
done
for p in gx magnitude edges; do
    if cmp -s "$TMP/t1/brick.$p.npy" "$TMP/t2/brick.$p.npy" \
        && cmp -s "$TMP/t1/brick.$p.npy" "$TMP/t3/brick.$p.npy"; then ok
    else bad "$p differs between thread counts"; fi
done

# the colour-wheel legend
expect_status 0 "legend" "$IMGRAD" legend -o "$TMP/key.png" --size 64
expect_file "$TMP/key.png"
expect_status 2 "legend needs -o" "$IMGRAD" legend
expect_status 2 "legend bad name" "$IMGRAD" legend -o "$TMP/key.xyz"
finish
