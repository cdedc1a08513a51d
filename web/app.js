/* app.js - starts the library (libimgrad.js: the wasm inside, so the page
 * works from file:// as well as from a server) and the two panels. */
"use strict";

window.imgradPage = {
    /* resolves once both panels are up; rejects if the library fails */
    ready: createImgrad().then(function (M) {
        var page = window.imgradPage;
        document.getElementById("version").textContent = M.UTF8ToString(M._web_version());
        document.getElementById("status").textContent = "";
        page.module = M;
        page.field = imgradFieldPanel(M);
        page.photo = imgradPhotoPanel(M);
        return page;
    }, function (err) {
        document.getElementById("status").textContent = "The library failed to load: " + err;
        throw err;
    })
};

document.querySelectorAll("nav .tab").forEach(function (tab) {
    tab.addEventListener("click", function () {
        document.querySelectorAll("nav .tab").forEach(function (t) {
            t.classList.toggle("active", t === tab);
            document.getElementById(t.dataset.panel).hidden = t !== tab;
        });
    });
});
