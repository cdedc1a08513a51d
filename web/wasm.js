/* wasm.js - small helpers around the emscripten module (libimgrad.js):
 * C strings and scratch buffers in the wasm heap.  The heap may grow during
 * any call, so views of it (M.HEAPU8, M.HEAPF64...) are taken after the call. */
"use strict";

var imgradWasm = (function () {
    /* Calls fn(pointer) with bytes of wasm memory, freed afterwards. */
    function withBuffer(M, bytes, fn) {
        var p = M._web_alloc(Math.max(1, bytes));
        if (!p) throw new Error("out of wasm memory");
        try { return fn(p); } finally { M._web_free(p); }
    }

    /* Calls fn(pointer) with text as a NUL-terminated UTF-8 string. */
    function withString(M, text, fn) {
        var n = M.lengthBytesUTF8(text) + 1;
        return withBuffer(M, n, function (p) {
            M.stringToUTF8(text, p, n);
            return fn(p);
        });
    }

    /* n doubles at p, copied out of the heap. */
    function doubles(M, p, n) {
        return Array.from(new Float64Array(M.HEAPU8.buffer, p, n));
    }

    /* An imgrad_status as text. */
    function strerror(M, st) { return M.UTF8ToString(M._web_strerror(st)); }

    return { withBuffer: withBuffer, withString: withString, doubles: doubles,
             strerror: strerror };
})();
