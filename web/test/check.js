// check.js URL FILE_URL IMGRAD SCREENS TMP - drives headless chromium (Debian's,
// through playwright-core) over the page and compares what it shows with
// what the CLI prints and writes for the same input.  Prints one line per
// check and a closing "check-web: N passed, N failed"; exits 1 on a failure.
"use strict";
const { chromium } = require("playwright-core");
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const [URL_HTTP, URL_FILE, IMGRAD, SCREENS, TMP] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FORMULA = "x^2+3*y^2";
let passed = 0, failed = 0;

function check(ok, what, detail) {
    if (ok) passed++; else failed++;
    console.log((ok ? "PASS " : "FAIL ") + what + (detail ? ": " + detail : ""));
}

function cli(args) {
    return execFileSync(IMGRAD, args, { encoding: "utf8" });
}

// A float32 (H, W) .npy file as { shape, data: Float32Array }.
function readNpy(file) {
    const b = fs.readFileSync(file);
    const major = b[6], hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
    const start = major === 1 ? 10 : 12, header = b.toString("latin1", start, start + hlen);
    if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header))
        throw new Error(file + ": not a C-order float32 array: " + header);
    const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header).slice(1, 3).map(Number);
    const data = b.subarray(start + hlen);
    return { shape, data: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) };
}

// Pixels whose float32 bits differ (NaN payloads included), and the largest |difference|.
function compareBits(a, b) {
    const ua = new Uint32Array(a.buffer), ub = new Uint32Array(b.buffer);
    let diff = 0, worst = 0;
    for (let i = 0; i < ua.length; i++)
        if (ua[i] !== ub[i]) {
            diff++;
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
    return { diff, worst };
}

function fromBase64(s) {
    const b = Buffer.from(s, "base64");
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

async function setValue(page, selector, value) {
    await page.fill(selector, String(value));
    await page.dispatchEvent(selector, "change");
}

async function fieldState(page) {
    return page.evaluate(() => window.imgradPage.field.state());
}

// Types a formula and waits for the picture sampled from it at every pixel.
async function typeFormula(page, text) {
    await page.fill("#expr", text);
    await page.press("#expr", "Enter");
    await page.waitForFunction(() => window.imgradPage.field.state().refined);
}

async function checkField(page) {
    // the page as it opens (its own formula and point): docs/web.md's picture,
    // which make docs-pictures copies from here
    await page.waitForFunction(() => window.imgradPage.field.state().refined);
    await page.locator(".figure").screenshot({ path: path.join(SCREENS, "web-field.png") });
    await typeFormula(page, FORMULA);
    let st = await fieldState(page);
    check(st.error === "", "the formula " + FORMULA + " is accepted", st.error);

    // drag the point from where it is to the pixel of (-1, 1.5)
    const box = await page.locator("#field-canvas").boundingBox();
    const scale = await page.evaluate(() => {
        const c = document.getElementById("field-canvas");
        return c.getBoundingClientRect().width / c.width;
    });
    const from = await page.evaluate(p => window.imgradPage.field.toPixel(p[0], p[1]), st.point);
    const to = await page.evaluate(() => window.imgradPage.field.toPixel(-1, 1.5));
    await page.mouse.move(box.x + from[0] * scale, box.y + from[1] * scale);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++)
        await page.mouse.move(box.x + (from[0] + (to[0] - from[0]) * k / 10) * scale,
                              box.y + (from[1] + (to[1] - from[1]) * k / 10) * scale);
    await page.mouse.up();
    st = await fieldState(page);
    const pixel = (st.window.x1 - st.window.x0) / st.area.w;
    check(Math.abs(st.point[0] + 1) <= 2 * pixel && Math.abs(st.point[1] - 1.5) <= 2 * pixel,
          "dragging moves the point to the mouse", "(" + st.point.join(", ") + ")");
    const dragged = cli(["field", FORMULA, "--at", st.point[0] + "," + st.point[1]]);
    check(st.atText === dragged, "after the drag the page shows imgrad field --at's three lines",
          JSON.stringify(st.atText) + " vs " + JSON.stringify(dragged));

    // the point at (1, 1), typed into its boxes
    await page.fill("#px", "1");
    await setValue(page, "#py", 1);
    st = await fieldState(page);
    const at = cli(["field", FORMULA, "--at", "1,1"]);
    check(st.at[1] === 2 && st.at[2] === 6, "exact gradient at (1, 1) is (2, 6)",
          "(" + st.at[1] + ", " + st.at[2] + ")");
    check(st.atText === at, "at (1, 1) the page shows what imgrad field --at 1,1 prints",
          "\n--- page\n" + st.atText + "--- cli\n" + at);
    const shown = await page.textContent("#at-text");
    check(/grid gradient:  \(1\.999998, 6\)/.test(shown), "the grid estimate (1.999998, 6) is on the page",
          shown.split("\n")[2]);

    // descent, exact and by the grid, against --trace
    await page.check("#descent");
    await setValue(page, "#rate", 0.05);
    await setValue(page, "#steps", 30);
    for (const method of ["exact", "grid"]) {
        await page.selectOption("#method", method);
        st = await fieldState(page);
        const trace = cli(["field", FORMULA, "--descent", "1,1", "--rate", "0.05", "--steps", "30",
                           "--method", method, "--trace", "-q", "-o", path.join(TMP, "field-" + method)]);
        const last = s => s.trim().split("\n").pop();
        check(last(st.trace) === last(trace), "descent (" + method + ") ends where --trace's does",
              last(st.trace) + " vs " + last(trace));
        check(st.trace === trace, "descent (" + method + ") path equals --trace's, all " +
              (trace.trim().split("\n").length - 1) + " points");
    }
    await page.selectOption("#method", "exact");
    await page.locator(".figure").screenshot({ path: path.join(SCREENS, "field.png") });

    // redraw times: the overlay while dragging, and the whole 201x201 grid
    const times = await page.evaluate(async () => {
        const f = window.imgradPage.field, upd = [], reb = [], ref = [];
        for (let k = 0; k < 15; k++) {
            document.getElementById("px").value = String(-1 + k / 10);
            document.getElementById("px").dispatchEvent(new Event("change"));
            upd.push(f.state().timing.update);
        }
        for (let k = 0; k < 5; k++) {
            f.rebuild();
            reb.push(f.state().timing.rebuild);
            while (!f.state().refined) await new Promise(r => setTimeout(r, 10));
            ref.push(f.state().timing.refine);
        }
        const med = a => a.sort((p, q) => p - q)[a.length >> 1];
        return { update: med(upd), rebuild: med(reb), refine: med(ref) };
    });
    console.log("     timing (median, this machine): point redraw " + times.update.toFixed(1) +
                " ms; grid 201x201 + kernel + picture " + times.rebuild.toFixed(1) +
                " ms; the picture sampled from the formula at each pixel " + times.refine.toFixed(1) + " ms");
    check(times.update < 50, "moving the point redraws in under 50 ms", times.update.toFixed(1) + " ms");
    // a loose bound: CI machines are slow and shared; the figure is printed above
    check(times.rebuild < 2000, "a new formula on the 201x201 grid redraws in under 2 s",
          times.rebuild.toFixed(1) + " ms");

    // a syntax error, with the CLI's caret
    const bad = "x^^2";
    const r = spawnSync(IMGRAD, ["field", bad, "--at", "1,1"], { encoding: "utf8" });
    await typeFormula(page, bad);
    st = await fieldState(page);
    check(r.status === 2 && st.error === r.stderr.replace(/\n$/, ""),
          "a syntax error shows the CLI's message and caret",
          "\n--- page\n" + st.error + "\n--- cli\n" + r.stderr);
    await page.locator("#field-panel").screenshot({ path: path.join(SCREENS, "field-error.png") });
    await typeFormula(page, FORMULA);
}

async function photoState(page) {
    return page.evaluate(() => window.imgradPage.photo.state());
}

// Waits for the panel's next computation after action().
async function recompute(page, action) {
    const before = (await photoState(page)).generation;
    await action();
    await page.waitForFunction(g => window.imgradPage.photo.state().generation > g, before,
                               { timeout: 30000 });
}

async function compareProducts(page, file, cliArgs, label, products) {
    const dir = path.join(TMP, label.replace(/\W+/g, "-"));
    cli(["--format", "npy", "--outputs", products.join(","), "-o", dir, ...cliArgs, file]);
    const stem = path.basename(file).replace(/\.[^.]*$/, "");
    for (const name of products) {
        const k = ["gray", "gx", "gy", "magnitude", "direction", "edges"].indexOf(name);
        const ref = readNpy(path.join(dir, stem + "." + name + ".npy"));
        const got = fromBase64(await page.evaluate(k => window.imgradPage.photo.dataBase64(k), k));
        const st = await photoState(page);
        const sameShape = ref.shape[0] === st.height && ref.shape[1] === st.width &&
                          got.length === ref.data.length;
        const c = sameShape ? compareBits(got, ref.data) : { diff: -1, worst: NaN };
        check(sameShape && c.diff === 0, label + ": " + name + " is bit-identical to the CLI's .npy",
              sameShape ? c.diff + " of " + got.length + " pixels differ (largest " + c.worst + ")"
                        : "shape " + st.height + "x" + st.width + " vs " + ref.shape.join("x"));
    }
}

async function checkPhoto(page) {
    await page.click("#tab-photo");
    const camera = path.resolve("assets/camera.png");
    await recompute(page, () => page.setInputFiles("#photo-file", camera));
    const products = ["gray", "magnitude", "edges"];
    await compareProducts(page, camera, [], "camera.png, defaults", products);

    await recompute(page, () => page.selectOption("#operator", "1"));
    await recompute(page, () => setValue(page, "#sigma", 1.5));
    await recompute(page, () => page.selectOption("#border", "2"));
    await compareProducts(page, camera, ["--operator", "sobel", "--sigma", "1.5", "--border", "replicate"],
                          "camera.png, sobel sigma 1.5 replicate", ["magnitude", "edges"]);

    // Canny thresholds from the sliders (the CLI gets the values the page used)
    const auto = (await photoState(page)).thresholds;
    await recompute(page, () => page.evaluate(t => {
        for (const [id, v] of [["canny-low", t[0] * 0.6], ["canny-high", t[1] * 1.3]]) {
            const el = document.getElementById(id);
            el.value = String(v);
            el.dispatchEvent(new Event("input"));
        }
    }, auto));
    const manual = (await photoState(page)).thresholds;
    check(manual[0] !== auto[0] && manual[1] !== auto[1], "the sliders set the Canny thresholds",
          "auto " + auto.join(", ") + ", sliders " + manual.join(", "));
    await compareProducts(page, camera, ["--operator", "sobel", "--sigma", "1.5", "--border", "replicate",
                                         "--low", String(manual[0]), "--high", String(manual[1])],
                          "camera.png, sliders", ["edges"]);
    await page.locator("#photo-panel").screenshot({ path: path.join(SCREENS, "photo-camera.png") });

    // a colour photo: the browser's RGB, greyed by the library, as the CLI greys the file
    await page.evaluate(() => { document.getElementById("canny-auto").checked = true; });
    await recompute(page, () => page.selectOption("#operator", "0"));
    await recompute(page, () => setValue(page, "#sigma", 0));
    const astronaut = path.resolve("assets/astronaut.png");
    await recompute(page, () => page.setInputFiles("#photo-file", astronaut));
    await compareProducts(page, astronaut, [], "astronaut.png (colour), defaults", products);
    await page.locator("#photo-panel").screenshot({ path: path.join(SCREENS, "photo-astronaut.png") });
    await checkPictures(page, astronaut);
}

// The RGBA pixels of PNG bytes, decoded by the page's browser as it decodes photos.
async function decodeInPage(page, bytes) {
    return Buffer.from(await page.evaluate(async b64 => {
        const blob = await (await fetch("data:image/png;base64," + b64)).blob();
        const bmp = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
        const c = document.createElement("canvas");
        c.width = bmp.width;
        c.height = bmp.height;
        c.getContext("2d").drawImage(bmp, 0, 0);
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let s = "";
        for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
        return btoa(s);
    }, bytes.toString("base64")), "base64");
}

// Samples that differ between two byte arrays of one length, and by how much at most.
function compareBytes(a, b) {
    let diff = 0, worst = 0;
    for (let i = 0; i < a.length; i++)
        if (a[i] !== b[i]) {
            diff++;
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
    return { diff, worst };
}

// The page's 8-bit pictures: each PNG download holds exactly its canvas's
// pixels, and those are the CLI's PNG of the same product up to one level in
// a few samples.  (The CLI's 8-bit outputs load images without the residual,
// so its central differences run in float32; the page keeps the residual,
// as the CLI's .npy outputs do, so a value near a rounding boundary of the
// 8-bit map may land one level apart.  docs/web.md says so.)
async function checkPictures(page, file) {
    const dir = path.join(TMP, "png");
    const names = ["magnitude", "hsv", "edges", "gx", "direction"];
    cli(["--format", "png", "--outputs", names.join(","), "-o", dir, file]);
    const stem = path.basename(file).replace(/\.[^.]*$/, "");
    for (const name of names) {
        const canvas = Buffer.from(await page.evaluate(id => {
            const c = document.getElementById(id);
            const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            let s = "";
            for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
            return btoa(s);
        }, "c-" + name), "base64");
        const k = ["gray", "gx", "gy", "magnitude", "direction", "edges", "hsv"].indexOf(name);
        const [download] = await Promise.all([page.waitForEvent("download"),
                                              page.click("button[data-download='" + k + "']")]);
        const saved = path.join(TMP, "download-" + name + ".png");
        await download.saveAs(saved);
        const got = await decodeInPage(page, fs.readFileSync(saved));
        const same = got.length === canvas.length && compareBytes(got, canvas).diff === 0;
        check(download.suggestedFilename() === stem + "." + name + ".png" && same,
              "the " + name + " PNG download holds the canvas's pixels", download.suggestedFilename());
        const ref = await decodeInPage(page, fs.readFileSync(path.join(dir, stem + "." + name + ".png")));
        const c = ref.length === got.length ? compareBytes(got, ref) : { diff: got.length, worst: 255 };
        check(c.worst <= 1 && c.diff <= got.length / 1000,
              "the " + name + " picture is the CLI's " + name + " PNG within one level in 0.1% of samples",
              c.diff + " of " + got.length + " samples differ, by up to " + c.worst);
    }
}

// Every canvas on the page holds a picture: at least 2 distinct colours.
async function checkCanvases(page) {
    const list = await page.evaluate(() => Array.from(document.querySelectorAll("canvas")).map(c => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data, seen = new Set();
        for (let i = 0; i < d.length && seen.size < 2; i += 4)
            seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return { id: c.id, w: c.width, h: c.height, colours: seen.size };
    }));
    for (const c of list)
        check(c.w > 0 && c.h > 0 && c.colours >= 2, "canvas #" + c.id + " is drawn",
              c.w + "x" + c.h + ", " + (c.colours >= 2 ? "several colours" : "one colour"));
}

async function checkFileUrl(browser) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", e => errors.push(e.message));
    await page.goto(URL_FILE);
    await page.evaluate(() => window.imgradPage.ready.then(() => 1));
    await typeFormula(page, FORMULA);
    await page.fill("#px", "1");
    await setValue(page, "#py", 1);
    const st = await fieldState(page);
    check(st.atText === cli(["field", FORMULA, "--at", "1,1"]) && errors.length === 0,
          "from file:// the page loads the library and gives the same numbers", errors.join("; "));
    await page.close();
}

(async () => {
    fs.mkdirSync(SCREENS, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
                                            args: ["--no-sandbox", "--disable-gpu"] });
    try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
        const errors = [];
        page.on("pageerror", e => errors.push(e.message));
        page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });
        await page.goto(URL_HTTP);
        await page.evaluate(() => window.imgradPage.ready.then(() => 1));
        await checkField(page);
        await checkPhoto(page);
        await checkCanvases(page);
        await page.screenshot({ path: path.join(SCREENS, "page.png"), fullPage: true });
        check(errors.length === 0, "no error in the page's console", errors.join("; "));
        await checkFileUrl(browser);
    } catch (e) {
        check(false, "the browser run", e.stack || String(e));
    } finally {
        await browser.close();
    }
    console.log("check-web: " + passed + " passed, " + failed + " failed (screenshots in " + SCREENS + ")");
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
})();
