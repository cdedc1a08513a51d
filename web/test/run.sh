#!/bin/bash
# run.sh IMGRAD NODE_DIR SCREENS - make check-web's driver: serves web/ on
# 127.0.0.1 (python3 -m http.server on a free port, stopped by its PID), then
# runs check.js, which drives headless chromium over the page, served and
# from file://, and compares its numbers with IMGRAD's.
set -euo pipefail
cd "$(dirname "$0")/../.."
IMGRAD=$(realpath "$1")
NODE_DIR=$(realpath "$2")
SCREENS=$(realpath "$3")
TMP=$(mktemp -d)
SERVER=

cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

[ -f web/libimgrad.js ] || { echo "check-web: web/libimgrad.js is missing (make web)" >&2; exit 1; }
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory web "$PORT" >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/index.html')" \
        2>/dev/null && break
    sleep 0.1
done

NODE_PATH="$NODE_DIR/node_modules" node web/test/check.js \
    "http://127.0.0.1:$PORT/index.html" "file://$PWD/web/index.html" \
    "$IMGRAD" "$SCREENS" "$TMP"
