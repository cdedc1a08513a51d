// timing.js [EXPR] - times the Functions panel in headless chromium (page
// opened from file://, after `make web` and `make deps-web`):
//   NODE_PATH=build/web-node/node_modules node web/test/timing.js "x^2+3*y^2"
// Prints min and median over 25 runs of: a new formula on the 201x201 grid
// (grid, kernel, picture from the grid), the same picture sampled from the
// formula at each pixel, and moving the point.  On a shared machine the
// minimum is the figure least disturbed by other work.
"use strict";
const { chromium } = require("playwright-core");
const path = require("path");

(async () => {
    const expr = process.argv[2] || "x^2+3*y^2";
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
                                            args: ["--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage();
    await page.goto("file://" + path.resolve(__dirname, "../index.html"));
    const r = await page.evaluate(async expr => {
        const f = (await window.imgradPage.ready).field, reb = [], ref = [], upd = [];
        document.getElementById("expr").value = expr;
        for (let k = 0; k < 25; k++) {
            f.rebuild();
            reb.push(f.state().timing.rebuild);
            while (!f.state().refined) await new Promise(r => setTimeout(r, 10));
            ref.push(f.state().timing.refine);
        }
        for (let k = 0; k < 25; k++) {
            document.getElementById("px").value = String(-1 + k / 20);
            document.getElementById("px").dispatchEvent(new Event("change"));
            upd.push(f.state().timing.update);
        }
        const stats = a => {
            a.sort((x, y) => x - y);
            return "min " + a[0].toFixed(1) + " ms, median " + a[a.length >> 1].toFixed(1) + " ms";
        };
        return { "new formula": stats(reb), "sampled at each pixel": stats(ref), "point moved": stats(upd) };
    }, expr);
    console.log(expr);
    for (const k in r) console.log("  " + k + ": " + r[k]);
    await browser.close();
})();
