/* field.js - the Functions panel: f(x, y) on a grid, its heat map, level
 * lines and gradient arrows (drawn by the library's plot code in web/glue.c),
 * and on top a point that can be dragged, with its exact gradient, the level
 * line through it and a descent path.  Only the overlay is redrawn while the
 * point moves; the picture is recomputed when the formula or grid changes. */
"use strict";

function imgradFieldPanel(M) {
    var W = imgradWasm;
    var canvas = document.getElementById("field-canvas");
    var ctx = canvas.getContext("2d");
    var $ = function (id) { return document.getElementById(id); };
    /* the plot area inside the canvas, in canvas pixels */
    var L = { left: 58, top: 16, w: 480, h: 480 };
    var s = {
        F: 0, base: null, window: null, lo: 0, hi: 1, arrowK: 0,
        point: [1, 0.5], path: [], at: null, atText: "", trace: "",
        timing: { rebuild: 0, update: 0, refine: 0 }, error: "", refine: 0, refined: false
    };

    /* "A:B" into [A, B], or null. */
    function pair(text, sep) {
        var parts = text.split(sep);
        if (parts.length !== 2 || parts[0].trim() === "" || parts[1].trim() === "") return null;
        var v = [Number(parts[0]), Number(parts[1])];
        return isFinite(v[0]) && isFinite(v[1]) ? v : null;
    }

    function readWindow() {
        var x = pair($("xrange").value, ":"), y = pair($("yrange").value, ":");
        var g = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec($("grid").value);
        if (!x || !(x[0] < x[1])) return "x: bad value '" + $("xrange").value + "' (want A:B, A < B)";
        if (!y || !(y[0] < y[1])) return "y: bad value '" + $("yrange").value + "' (want C:D, C < D)";
        if (!g || +g[1] < 2 || +g[2] < 2 || +g[1] > 2048 || +g[2] > 2048)
            return "grid: bad value '" + $("grid").value + "' (want WxH, 2..2048 each)";
        return { x0: x[0], x1: x[1], y0: y[0], y1: y[1], gw: +g[1], gh: +g[2] };
    }

    /* The same lines `imgrad field` prints on a syntax error. */
    function syntaxError(text, column, message) {
        return "imgrad: field: syntax error in the expression: " + message + "\n  " + text +
               "\n  " + " ".repeat(column) + "^";
    }

    function showError(msg) {
        s.error = msg;
        $("expr-error").textContent = msg;
        $("expr-error").hidden = msg === "";
    }

    /* Equal scales on x and y within reason, as the field picture has. */
    function layout(w) {
        var aspect = (w.y1 - w.y0) / (w.x1 - w.x0);
        aspect = Math.min(2, Math.max(0.25, aspect));
        L.h = Math.round(L.w * aspect);
        canvas.height = L.top + L.h + 40;
    }

    /* Parses and samples the formula and draws the picture from the grid
     * at once, then from the formula at every pixel (as the field picture
     * is drawn) as soon as the browser is idle. */
    function rebuild() {
        clearTimeout(s.refine);
        s.refined = false;
        var t0 = performance.now(), w = readWindow(), text = $("expr").value;
        if (typeof w === "string") {
            showError("imgrad: field: " + w);
            s.refined = true;
            return;
        }
        var F = W.withString(M, text, function (p) {
            return M._web_field_new(p, w.x0, w.x1, w.y0, w.y1, w.gw, w.gh, +$("edge-order").value);
        });
        if (!F) { showError("imgrad: field: out of memory"); return; }
        var st = M._web_field_status(F);
        if (st !== 0) {
            var msg = M.UTF8ToString(M._web_field_error_message(F));
            s.refined = true;
            showError(M._web_field_syntax_error(F)
                      ? syntaxError(text, M._web_field_error_column(F), msg)
                      : "imgrad: field: " + msg);
            M._web_field_free(F);
            return;
        }
        showError("");
        if (s.F) M._web_field_free(s.F);
        s.F = F;
        s.window = w;
        s.lo = M._web_field_lo(F);
        s.hi = M._web_field_hi(F);
        layout(w);
        drawBase(false);
        s.timing.rebuild = performance.now() - t0;
        update();
        s.refine = setTimeout(function () {
            var t1 = performance.now();
            if (s.F !== F) return;
            drawBase(true);
            update();
            s.timing.refine = performance.now() - t1;
            s.refined = true;
        }, 0);
    }

    /* The picture without the point: the heat map, levels and arrows of the
     * plot area from the library, axes and colour bar around it.  Kept in an
     * offscreen canvas that each move of the point copies. */
    function drawBase(exact) {
        var n = L.w * L.h * 4, g;
        var arrows = Math.max(0, +$("arrows").value | 0), levels = Math.max(0, +$("levels").value | 0);
        var area = W.withBuffer(M, n, function (p) {
            var st = M._web_field_draw(s.F, L.w, L.h, s.lo, s.hi, levels, arrows,
                                       $("antigradient").checked ? 1 : 0,
                                       exact ? 1 : 0, p);
            if (st !== 0) throw new Error("drawing: " + W.strerror(M, st));
            return new ImageData(new Uint8ClampedArray(M.HEAPU8.slice(p, p + n).buffer), L.w, L.h);
        });
        s.arrowK = M._web_field_arrow_k(s.F);
        s.base = document.createElement("canvas");
        s.base.width = canvas.width;
        s.base.height = canvas.height;
        g = s.base.getContext("2d");
        g.fillStyle = "#fff";
        g.fillRect(0, 0, canvas.width, canvas.height);
        g.putImageData(area, L.left, L.top);
        drawAxes(g);
        drawColourBar(g);
    }

    function toPixel(x, y) {
        var w = s.window;
        return [L.left + (x - w.x0) / (w.x1 - w.x0) * L.w, L.top + (w.y1 - y) / (w.y1 - w.y0) * L.h];
    }

    function fromPixel(px, py) {
        var w = s.window;
        return [w.x0 + (px - L.left) / L.w * (w.x1 - w.x0), w.y1 - (py - L.top) / L.h * (w.y1 - w.y0)];
    }

    /* Point, readouts, level line and path; the base picture is reused. */
    function update() {
        if (!s.F) return;
        var t0 = performance.now(), x = s.point[0], y = s.point[1];
        s.at = W.withBuffer(M, 5 * 8, function (p) {
            M._web_field_at(s.F, x, y, p);
            return W.doubles(M, p, 5);
        });
        s.atText = M.UTF8ToString(M._web_field_at_text(s.F, x, y));
        $("at-text").textContent = s.atText;
        descend(x, y);
        drawOverlay();
        s.timing.update = performance.now() - t0;
        $("field-timing").textContent = "grid, kernel and picture: " + s.timing.rebuild.toFixed(1) +
            " ms (sharpened from the formula in " + s.timing.refine.toFixed(1) + " ms); point, " +
            "level line and path: " + s.timing.update.toFixed(1) + " ms";
    }

    function descend(x, y) {
        var steps = Math.max(0, Math.min(100000, +$("steps").value | 0));
        var rate = Number($("rate").value), grid = $("method").value === "grid" ? 1 : 0;
        if (!$("descent").checked || !isFinite(rate)) { s.path = []; s.trace = ""; $("trace").value = ""; return; }
        W.withBuffer(M, 16 * (steps + 1), function (p) {
            var n = M._web_field_descend(s.F, x, y, rate, steps, grid, p);
            s.path = W.doubles(M, p, 2 * n);
            var t = M._web_field_trace(s.F, p, n);
            s.trace = M.UTF8ToString(t);
            M._web_free(t);
        });
        $("trace").value = s.trace;
    }

    /* The level line f = f(point), from the library's marching squares on
     * the plot area's samples. */
    function drawLevelLine(level) {
        if (!isFinite(level)) return;
        W.withBuffer(M, 4, function (pc) {
            var seg = M._web_field_contour(s.F, level, pc);
            var n = M.HEAP32[pc >> 2];
            if (!seg) return;
            var v = new Float32Array(M.HEAPU8.buffer, seg, 4 * n);
            ctx.beginPath();
            for (var i = 0; i < n; i++) {
                ctx.moveTo(L.left + v[4 * i], L.top + v[4 * i + 1]);
                ctx.lineTo(L.left + v[4 * i + 2], L.top + v[4 * i + 3]);
            }
            ctx.strokeStyle = "#111";
            ctx.lineWidth = 2.5;
            ctx.stroke();
            M._web_free(seg);
        });
    }

    function arrow(x0, y0, x1, y1, colour, width) {
        var a = Math.atan2(y1 - y0, x1 - x0), h = 10;
        ctx.strokeStyle = ctx.fillStyle = colour;
        ctx.lineWidth = width;
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1 - 0.8 * h * Math.cos(a), y1 - 0.8 * h * Math.sin(a));
        ctx.stroke();
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x1 - h * Math.cos(a - 0.4), y1 - h * Math.sin(a - 0.4));
        ctx.lineTo(x1 - h * Math.cos(a + 0.4), y1 - h * Math.sin(a + 0.4));
        ctx.fill();
    }

    function drawPath() {
        ctx.save();
        ctx.beginPath();
        ctx.rect(L.left, L.top, L.w, L.h);
        ctx.clip();
        ctx.strokeStyle = ctx.fillStyle = "rgb(230,30,40)";
        ctx.lineWidth = 2;
        ctx.beginPath();
        for (var k = 0; 2 * k < s.path.length; k++) {
            var q = toPixel(s.path[2 * k], s.path[2 * k + 1]);
            if (k === 0) ctx.moveTo(q[0], q[1]); else ctx.lineTo(q[0], q[1]);
        }
        ctx.stroke();
        for (k = 0; 2 * k < s.path.length; k++) {
            q = toPixel(s.path[2 * k], s.path[2 * k + 1]);
            ctx.beginPath();
            ctx.arc(q[0], q[1], 2.5, 0, 2 * Math.PI);
            ctx.fill();
        }
        ctx.restore();
    }

    /* The exact gradient at the point, on the arrows' scale (or 60 px). */
    function drawPoint() {
        var q = toPixel(s.point[0], s.point[1]), w = s.window, sign = $("antigradient").checked ? -1 : 1;
        var u = sign * s.at[1] * L.w / (w.x1 - w.x0), v = -sign * s.at[2] * L.h / (w.y1 - w.y0);
        var len = Math.hypot(u, v), k = s.arrowK > 0 ? s.arrowK : (len > 0 ? 60 / len : 0);
        if (isFinite(len) && k * len >= 2) {
            arrow(q[0], q[1], q[0] + k * u, q[1] + k * v, "#111", 5);
            arrow(q[0], q[1], q[0] + k * u, q[1] + k * v, "#ffd400", 2.5);
        }
        ctx.beginPath();
        ctx.arc(q[0], q[1], 6, 0, 2 * Math.PI);
        ctx.fillStyle = "#ffd400";
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.strokeStyle = "#111";
        ctx.stroke();
    }

    function drawOverlay() {
        ctx.drawImage(s.base, 0, 0);
        drawLevelLine(s.at[0]);
        if (s.path.length) drawPath();
        drawPoint();
    }

    /* A tick step of 1, 2 or 5 times a power of ten for about `want` ticks. */
    function niceStep(range, want) {
        var raw = range / want, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
        return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
    }

    function ticks(lo, hi, want, fn) {
        var step = niceStep(hi - lo, want);
        for (var v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step)
            fn(Math.abs(v) < 1e-12 * step ? 0 : v, step);
    }

    function label(v, step) { return v.toFixed(Math.max(0, -Math.floor(Math.log10(step)))); }

    function drawAxes(ctx) {
        var w = s.window;
        ctx.strokeStyle = "#222";
        ctx.lineWidth = 1;
        ctx.strokeRect(L.left - 0.5, L.top - 0.5, L.w + 1, L.h + 1);
        ctx.fillStyle = "#222";
        ctx.font = "12px sans-serif";
        ctx.textAlign = "center";
        ticks(w.x0, w.x1, 6, function (v, step) {
            var q = toPixel(v, w.y0);
            ctx.fillRect(Math.round(q[0]), L.top + L.h, 1, 5);
            ctx.fillText(label(v, step), q[0], L.top + L.h + 18);
        });
        ctx.fillText("x", L.left + L.w / 2, L.top + L.h + 34);
        ctx.textAlign = "right";
        ticks(w.y0, w.y1, 6, function (v, step) {
            var q = toPixel(w.x0, v);
            ctx.fillRect(L.left - 5, Math.round(q[1]), 5, 1);
            ctx.fillText(label(v, step), L.left - 8, q[1] + 4);
        });
        ctx.fillText("y", L.left - 40, L.top + L.h / 2);
    }

    function drawColourBar(ctx) {
        var x = L.left + L.w + 16, bw = 14, bar = ctx.createImageData(bw, L.h);
        W.withBuffer(M, 3, function (p) {
            for (var j = 0; j < L.h; j++) {
                M._web_colormap(1 - (j + 0.5) / L.h, p);
                for (var i = 0; i < bw; i++) {
                    bar.data.set(M.HEAPU8.subarray(p, p + 3), 4 * (j * bw + i));
                    bar.data[4 * (j * bw + i) + 3] = 255;
                }
            }
        });
        ctx.putImageData(bar, x, L.top);
        ctx.strokeStyle = "#222";
        ctx.strokeRect(x - 0.5, L.top - 0.5, bw + 1, L.h + 1);
        ctx.fillStyle = "#222";
        ctx.textAlign = "left";
        ticks(s.lo, s.hi, 5, function (v, step) {
            var y = L.top + (s.hi - v) / (s.hi - s.lo) * L.h;
            ctx.fillRect(x + bw, Math.round(y), 4, 1);
            ctx.fillText(label(v, step), x + bw + 6, y + 4);
        });
    }

    function setPoint(x, y, fromInputs) {
        s.point = [x, y];
        if (!fromInputs) {
            $("px").value = +x.toPrecision(6);
            $("py").value = +y.toPrecision(6);
        }
        update();
    }

    function pointerPos(ev) {
        var r = canvas.getBoundingClientRect();
        return [(ev.clientX - r.left) * canvas.width / r.width, (ev.clientY - r.top) * canvas.height / r.height];
    }

    var dragging = false;
    canvas.addEventListener("pointerdown", function (ev) {
        var q = pointerPos(ev);
        if (!s.F || q[0] < L.left || q[0] > L.left + L.w || q[1] < L.top || q[1] > L.top + L.h) return;
        dragging = true;
        canvas.setPointerCapture(ev.pointerId);
        var p = fromPixel(q[0], q[1]);
        setPoint(p[0], p[1], false);
    });
    canvas.addEventListener("pointermove", function (ev) {
        if (!dragging) return;
        var q = pointerPos(ev);
        q[0] = Math.min(L.left + L.w, Math.max(L.left, q[0]));
        q[1] = Math.min(L.top + L.h, Math.max(L.top, q[1]));
        var p = fromPixel(q[0], q[1]);
        setPoint(p[0], p[1], false);
    });
    canvas.addEventListener("pointerup", function () { dragging = false; });

    ["expr", "xrange", "yrange", "grid"].forEach(function (id) {
        $(id).addEventListener("change", rebuild);
        $(id).addEventListener("keydown", function (ev) { if (ev.key === "Enter") rebuild(); });
    });
    ["edge-order", "levels", "arrows", "antigradient"].forEach(function (id) {
        $(id).addEventListener("change", rebuild);
    });
    ["px", "py"].forEach(function (id) {
        $(id).addEventListener("change", function () {
            var x = Number($("px").value), y = Number($("py").value);
            if (isFinite(x) && isFinite(y) && $("px").value !== "" && $("py").value !== "")
                setPoint(x, y, true);
        });
    });
    ["descent", "rate", "steps", "method"].forEach(function (id) {
        $(id).addEventListener("change", update);
        $(id).addEventListener("input", update);
    });

    s.point = [Number($("px").value), Number($("py").value)];
    rebuild();

    /* For the tests (web/test/check.js) and the curious. */
    return {
        rebuild: rebuild,
        state: function () {
            return { point: s.point.slice(), at: s.at && s.at.slice(), atText: s.atText,
                     trace: s.trace, path: s.path.slice(), error: s.error, refined: s.refined,
                     timing: Object.assign({}, s.timing), area: Object.assign({}, L),
                     window: s.window && Object.assign({}, s.window) };
        },
        toPixel: toPixel
    };
}
