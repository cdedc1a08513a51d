/* photo.js - the Photos panel: an image decoded by the browser, passed to
 * the library as RGBA pixels (imgrad_gray_from_pixels, channels 4), and its
 * gradient products shown as the CLI's 8-bit images show them. */
"use strict";

function imgradPhotoPanel(M) {
    var W = imgradWasm;
    var $ = function (id) { return document.getElementById(id); };
    var NAMES = ["gray", "gx", "gy", "magnitude", "direction", "edges", "hsv"];
    var s = { P: 0, name: "", width: 0, height: 0, thresholds: [0, 0], status: 0,
              timing: 0, generation: 0 };

    /* The image's samples as stored: no colour management, no premultiplied
     * alpha, so a grey PNG arrives as its own grey levels in R, G and B. */
    function decode(blob) {
        return createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" })
            .then(function (bmp) {
                var c = document.createElement("canvas");
                c.width = bmp.width;
                c.height = bmp.height;
                var g = c.getContext("2d", { colorSpace: "srgb" });
                g.drawImage(bmp, 0, 0);
                return g.getImageData(0, 0, bmp.width, bmp.height);
            });
    }

    function load(blob, name) {
        $("photo-info").textContent = "Decoding " + name + "\u2026";
        return decode(blob).then(function (img) {
            var n = img.width * img.height * 4;
            if (s.P) M._web_photo_free(s.P);
            s.P = W.withBuffer(M, n, function (p) {
                M.HEAPU8.set(img.data, p);
                return M._web_photo_new(p, img.width, img.height, 4);
            });
            s.name = name;
            s.width = img.width;
            s.height = img.height;
            if (!s.P || M._web_photo_status(s.P) !== 0) {
                $("photo-info").textContent = name + ": " +
                    (s.P ? W.strerror(M, M._web_photo_status(s.P)) : "out of memory");
                return;
            }
            compute();
        }, function (err) {
            $("photo-info").textContent = name + ": the browser cannot decode it (" + err + ")";
        });
    }

    /* The thresholds the sliders ask for, or -1, -1 (automatic). */
    function thresholds() {
        if ($("canny-auto").checked) return [-1, -1];
        return [Number($("canny-low").value), Number($("canny-high").value)];
    }

    function compute() {
        if (!s.P) return;
        var t0 = performance.now(), th = thresholds();
        var st = M._web_photo_gradient(s.P, +$("operator").value, Number($("sigma").value) || 0,
                                       +$("border").value, th[0], th[1]);
        s.status = st;
        if (st !== 0) {
            $("photo-info").textContent = s.name + ": " + W.strerror(M, st);
            return;
        }
        s.thresholds = [M._web_photo_threshold(s.P, 0), M._web_photo_threshold(s.P, 1)];
        showThresholds();
        for (var k = 0; k < NAMES.length; k++) render(k);
        s.timing = performance.now() - t0;
        s.generation++;
        $("photo-info").textContent = s.name + ": " + s.width + " x " + s.height + ", Canny low " +
            s.thresholds[0].toPrecision(4) + ", high " + s.thresholds[1].toPrecision(4) + "; " +
            s.timing.toFixed(0) + " ms";
    }

    /* Sliders span 0 .. the largest magnitude, and show the values used. */
    function showThresholds() {
        var mag = data(3), top = 0;
        for (var i = 0; i < mag.length; i++) if (mag[i] > top) top = mag[i];
        ["canny-low", "canny-high"].forEach(function (id, i) {
            var el = $(id);
            el.max = top > 0 ? top : 1;
            if ($("canny-auto").checked) el.value = s.thresholds[i];
            $(id + "-value").textContent = s.thresholds[i].toPrecision(4);
        });
    }

    function render(k) {
        var c = $("c-" + NAMES[k]), n = s.width * s.height * 4;
        c.width = s.width;
        c.height = s.height;
        W.withBuffer(M, n, function (p) {
            var st = M._web_photo_render(s.P, k, p);
            if (st !== 0) throw new Error(NAMES[k] + ": " + W.strerror(M, st));
            var img = new ImageData(new Uint8ClampedArray(M.HEAPU8.slice(p, p + n).buffer),
                                    s.width, s.height);
            c.getContext("2d").putImageData(img, 0, 0);
        });
    }

    /* Product k's float32 values (a copy). */
    function data(k) {
        var p = M._web_photo_data(s.P, k);
        if (!p) return null;
        return new Float32Array(M.HEAPU8.buffer.slice(p, p + 4 * s.width * s.height));
    }

    function drawWheel() {
        var c = $("c-wheel"), n = c.width * c.height * 4;
        W.withBuffer(M, n, function (p) {
            if (M._web_wheel(c.width, p) !== 0) return;
            c.getContext("2d").putImageData(new ImageData(
                new Uint8ClampedArray(M.HEAPU8.slice(p, p + n).buffer), c.width, c.height), 0, 0);
        });
    }

    function download(k) {
        var stem = s.name.replace(/\.[^.]*$/, "") || "image";
        $("c-" + NAMES[k]).toBlob(function (blob) {
            var a = document.createElement("a");
            a.href = URL.createObjectURL(blob);
            a.download = stem + "." + NAMES[k] + ".png";
            document.body.appendChild(a);
            a.click();
            setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        }, "image/png");
    }

    $("photo-file").addEventListener("change", function () {
        var f = this.files[0];
        if (f) load(f, f.name);
    });
    var drop = $("drop");
    drop.addEventListener("dragover", function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (ev) {
        ev.preventDefault();
        drop.classList.remove("over");
        var f = ev.dataTransfer.files[0];
        if (f) load(f, f.name);
    });
    ["operator", "sigma", "border", "canny-auto"].forEach(function (id) {
        $(id).addEventListener("change", compute);
    });
    ["canny-low", "canny-high"].forEach(function (id) {
        $(id).addEventListener("input", function () {
            $("canny-auto").checked = false;
            compute();
        });
    });
    document.querySelectorAll("[data-download]").forEach(function (b) {
        b.addEventListener("click", function () { download(+b.dataset.download); });
    });
    drawWheel();

    /* For the tests (web/test/check.js): product k's values as base64 of
     * its float32 bytes, so that they cross to the test bit for bit. */
    return {
        load: load,
        data: data,
        dataBase64: function (k) {
            var d = data(k);
            if (!d) return null;
            var b = new Uint8Array(d.buffer), out = "";
            for (var i = 0; i < b.length; i += 0x8000)
                out += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
            return btoa(out);
        },
        state: function () {
            return { name: s.name, width: s.width, height: s.height, status: s.status,
                     thresholds: s.thresholds.slice(), timing: s.timing, generation: s.generation };
        }
    };
}
