#!/bin/bash
# A clear answer to every mistake (issue 12): each case's exit status and
# the words of its message.  Usage errors exit 2; a bad file exits 1 and the
# other inputs are still written.
SUITE=messages
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
PY=/usr/bin/python3

# --- the command line -------------------------------------------------------
expect_err 2 "misspelt command" "'feild' is neither a command nor a file; did you mean 'imgrad field'" \
    "$IMGRAD" feild x
expect_status 0 "imgrad help" "$IMGRAD" help
expect_grep "^Commands:" "$TMP/out" "help lists the commands"
for c in field legend bench; do expect_grep "^  $c " "$TMP/out" "--help names $c"; done
expect_status 0 "imgrad help field" "$IMGRAD" help field
expect_grep "Usage: imgrad field" "$TMP/out" "help field"
expect_err 2 "help of no command" "no command 'nope'" "$IMGRAD" help nope
expect_err 2 "misspelt option" "--fromat: unknown option; did you mean --format\?" \
    "$IMGRAD" --fromat png "$A/camera.png"
expect_err 2 "ambiguous abbreviation" "--out: ambiguous, could be --output-dir or --outputs" \
    "$IMGRAD" --out x "$A/camera.png"
expect_err 2 "unknown format lists the choices" "unknown value 'webpp'.*choose npy, png, jpg, bmp, tga" \
    "$IMGRAD" --format webpp "$A/camera.png"
expect_err 2 "unknown border lists the choices" "choose reflect101, reflect, replicate, constant, wrap" \
    "$IMGRAD" --border nope "$A/camera.png"
expect_err 2 "unknown operator lists the choices" "choose central, sobel, scharr, prewitt, roberts" \
    "$IMGRAD" --operator nope "$A/camera.png"
expect_err 2 "unknown grey lists the choices" "choose luma, rec601, rec709, average, linear, skimage, opencv" \
    "$IMGRAD" --gray nope "$A/camera.png"
expect_err 2 "near miss guessed" "did you mean 'scharr'" "$IMGRAD" --operator schar "$A/camera.png"
# enumerations ignore case and take the usual aliases
expect_status 0 "JPEG PNG Sobel L1" "$IMGRAD" -o "$TMP/case" --format JPEG --operator Sobel \
    --norm L1 --border Reflect "$A/camera.png"
expect_file "$TMP/case/camera.magnitude.jpg"
expect_status 0 "format PNG" "$IMGRAD" -o "$TMP/case" --format PNG "$A/camera.png"
expect_file "$TMP/case/camera.magnitude.png"
# contradictions are refused with the reason
expect_err 2 "-q -v" "-q and -v contradict" "$IMGRAD" -q -v "$A/camera.png"
expect_err 2 "low above high" "--low 5 is above --high 1" "$IMGRAD" --low 5 --high 1 "$A/camera.png"
# -- ends the options: a file named like an option
cp "$A/camera.png" "$TMP/-dash.png"
expect_status 0 "-- before -dash.png" env -C "$TMP" "$IMGRAD" -o dash -- -dash.png
expect_file "$TMP/dash/-dash.magnitude.png"

# --- values range-checked when parsed; the Gaussian bounded by the image ----
expect_err 2 "huge sigma" "--sigma: expected 0..1000, got '1e9'" "$IMGRAD" --sigma 1e9 "$A/camera.png"
expect_err 1 "sigma wider than the image" \
    "512x512 is too small for --sigma 300.*use --sigma 127.87 or less" \
    "$IMGRAD" -o "$TMP/sig" --sigma 300 "$A/camera.png"
expect_no_file "$TMP/sig/camera.magnitude.png"

# --- names -----------------------------------------------------------------
# a 235-byte name (legal) with a product suffix still has room for its temporary
long=$(printf 'n%.0s' $(seq 1 200))
cp "$A/camera.png" "$TMP/$long.png"
expect_status 0 "235-byte output name" "$IMGRAD" -o "$TMP/long" "$TMP/$long.png"
expect_file "$TMP/long/$long.magnitude.png"
# control bytes and newlines in a name are escaped: one line per problem
nl=$(printf 'bad\nname\033[31m.png')
printf 'not an image' > "$TMP/$nl"
expect_status 1 "name with a newline" "$IMGRAD" -o "$TMP/nl" "$A/camera.png" "$TMP/$nl"
expect_lines 1 "$TMP/err" "one line for a name with a newline"
expect_grep 'bad\\nname\\x1b\[31m.png: ' "$TMP/err" "escaped name"

# --- decoding --------------------------------------------------------------
# top-down BMPs (negative height): the same grey as the bottom-up file
"$PY" - "$TMP" <<'EOF' || bad "could not write the BMPs"
import struct, sys
d = sys.argv[1]
w, h = 7, 5
rows = [bytes((x * 37 + y * 11 + c * 50) % 256 for x in range(w) for c in range(3)) for y in range(h)]
pad = b'\0' * ((4 - (w * 3) % 4) % 4)
def bmp(height, order):
    pix = b''.join(rows[y] + pad for y in order)
    head = struct.pack('<IiiHHIIiiII', 40, w, height, 1, 24, 0, len(pix), 2835, 2835, 0, 0)
    return b'BM' + struct.pack('<IHHI', 54 + len(pix), 0, 0, 54) + head + pix
open(d + '/up.bmp', 'wb').write(bmp(h, range(h - 1, -1, -1)))    # bottom-up, as usual
open(d + '/down.bmp', 'wb').write(bmp(-h, range(h)))             # top-down
EOF
expect_status 0 "top-down BMP" "$IMGRAD" -o "$TMP/bmp" --format npy --outputs gray "$TMP/up.bmp" "$TMP/down.bmp"
if cmp -s "$TMP/bmp/up.gray.npy" "$TMP/bmp/down.gray.npy"; then ok; else bad "top-down BMP grey differs"; fi
# out of memory while decoding is called that: a 16384x16384 grey PNG of zeros
"$PY" -c "
import struct, zlib, sys
w = h = 16384
raw = zlib.compress(b'\0' * ((w + 1) * h), 9)
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
sys.stdout.buffer.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0))
                        + chunk(b'IDAT', raw) + chunk(b'IEND', b''))" > "$TMP/big.png"
# (--max-memory above the limit, so that the decoder meets it, not the
# budget; ASan and valgrind reserve more address space than the limit:
# skipped there)
if ! grep -q valgrind "$IMGRAD" 2>/dev/null \
   && bash -c 'ulimit -v 400000; exec "$0" --version' "$IMGRAD" >/dev/null 2>&1; then
    expect_err 1 "out of memory" "big.png: out of memory" \
        bash -c 'ulimit -v 400000; exec "$0" -o "$1" --max-memory 64G "$2"' "$IMGRAD" "$TMP/oom" "$TMP/big.png"
else
    skip "out of memory: this build cannot run under ulimit -v (sanitizer or valgrind)"
fi
# --- JSON and CSV always valid; statistics over the finite values ----------
"$PY" -c "
import numpy as np
np.save('$TMP/nan.npy', np.array([[0, 1, 2, 3], [1, np.nan, 3, 4], [2, 3, 4, 5.0]]))
np.save('$TMP/big64.npy', np.array([[1e300, 2e300, 3], [4, 5, 6.0]]))
np.save('$TMP/step.npy', np.array([[0, 1, 2], [1, 3, 3.0]]))" || bad "could not write the .npy files"
weird=$(printf 'caf\xe9 \x01"q".npy')   # a Latin-1 byte, a control byte, quotes
cp "$TMP/nan.npy" "$TMP/$weird"
expect_status 0 "stats with NaN" "$IMGRAD" -q -o "$TMP/st" --format npy --stats "$TMP/s.jsonl" \
    "$TMP/nan.npy" "$TMP/$weird"
expect_status 0 "stats csv" "$IMGRAD" -q -o "$TMP/st" --format npy --stats "$TMP/s.csv" "$TMP/nan.npy"
if "$PY" - "$TMP" <<'EOF'
import csv, json, math, sys
d = sys.argv[1]
def strict(name): raise ValueError('non-JSON constant ' + name)
rows = [json.loads(l, parse_constant=strict) for l in open(d + '/s.jsonl', encoding='utf-8')]
assert len(rows) == 2, rows
for r in rows:
    assert r['nonfinite'] == 4, r                    # the NaN and its neighbours' gradients
    assert math.isfinite(r['mean']) and abs(r['mean'] - r['median']) < 1e-6, r
assert any(r['path'].endswith('caf\ufffd \x01"q".npy') for r in rows), rows
row = next(csv.DictReader(open(d + '/s.csv')))
assert row['nonfinite'] == '4' and float(row['mean']) > 0, row
EOF
then ok; else bad "stats files are not valid JSON/CSV"; fi
# values beyond float32 are warned about, never silent
expect_err 0 "float64 beyond float32" "big64.npy: warning: 2 input values are not finite" \
    "$IMGRAD" -o "$TMP/nf" --format npy "$TMP/big64.npy"
expect_err 0 "spacing near 0" "step.npy: warning: magnitude holds 5 values that are not finite" \
    "$IMGRAD" -o "$TMP/nf" --format npy --dx 1e-300 "$TMP/step.npy"
expect_status 0 "-q silences the warning" "$IMGRAD" -q -o "$TMP/nf" --format npy "$TMP/big64.npy"
expect_lines 0 "$TMP/err" "no warning under -q"

# --- short options and operands that start with '-' -------------------------
expect_err 2 "name starting with -" "-d: unknown option in '-dash.png'; if it is a file, write ./-dash.png or put it after --" \
    env -C "$TMP" "$IMGRAD" -o dash -dash.png
expect_err 2 "field expression starting with -" "^imgrad: field: '-x\\^2' starts with '-' .* after '--'" \
    "$IMGRAD" field "-x^2"
expect_err 2 "missing value" "^imgrad: --outputs: missing value" "$IMGRAD" --outputs
: > "$TMP/empty.txt"
expect_err 2 "empty coordinate file" "empty.txt: cannot read coordinates: the file holds no value" \
    "$IMGRAD" -o "$TMP/c" --x-coords "$TMP/empty.txt" "$A/camera.png"
# --- refusals say what the file is ------------------------------------------
printf 'P2\n2 2\n255\n0 1\n2 3\n' > "$TMP/ascii.pgm"
printf 'P7\nWIDTH 2\nHEIGHT 1\nDEPTH 1\nMAXVAL 255\nTUPLTYPE GRAYSCALE\nENDHDR\n\001\002' > "$TMP/a.pam"
"$PY" -c "
import numpy as np, struct
np.save('$TMP/c.npy', np.zeros((2, 3), np.complex64))
hdr = b'BM' + struct.pack('<IHHI', 14 + 40 + 1024 + 10, 0, 0, 14 + 40 + 1024) \\
    + struct.pack('<IiiHHIIiiII', 40, 4, 2, 1, 8, 1, 10, 2835, 2835, 256, 0)
open('$TMP/rle.bmp', 'wb').write(hdr + bytes(1024) + bytes([4, 1, 0, 0, 4, 2, 0, 0, 0, 1]))" \
    || bad "could not write the variants"
expect_err 1 "ASCII PGM named" "ascii.pgm: .*a Netpbm ASCII PGM \(P2\) image" "$IMGRAD" -o "$TMP/v" "$TMP/ascii.pgm"
expect_err 1 "PAM named" "a.pam: .*a Netpbm PAM \(P7\) image" "$IMGRAD" -o "$TMP/v" "$TMP/a.pam"
expect_err 1 "RLE BMP named" "rle.bmp: .*a BMP \(RLE8-compressed, 8 bits a pixel\)" "$IMGRAD" -o "$TMP/v" "$TMP/rle.bmp"
expect_err 1 "npy dtype and shape named" "c.npy: unsupported content: a .npy array of dtype <c8 and shape \(2, 3\)" \
    "$IMGRAD" -o "$TMP/v" "$TMP/c.npy"
finish
