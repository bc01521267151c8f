(function () {
  "use strict";
  // The claims table: search and filters.
  var q = document.getElementById("q");
  if (q) {
    var selects = ["f-verdict", "f-statement", "f-outcome", "f-paper"].map(function (id) {
      return document.getElementById(id);
    });
    var keys = ["verdict", "statement", "outcome", "paper"];
    var shown = document.getElementById("shown");
    var rows = document.querySelectorAll("#claims tbody tr");
    var apply = function () {
      var text = q.value.trim().toLowerCase(), n = 0;
      for (var i = 0; i < rows.length; i++) {
        var d = rows[i].dataset, ok = !text || d.text.indexOf(text) >= 0;
        for (var k = 0; k < selects.length && ok; k++) {
          if (selects[k] && selects[k].value && d[keys[k]] !== selects[k].value) { ok = false; }
        }
        rows[i].hidden = !ok;
        if (ok) { n++; }
      }
      shown.textContent = String(n);
    };
    [q].concat(selects).forEach(function (el) {
      if (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); }
    });
    apply();
  }
  // Dependency graphs: zoom (buttons, Ctrl + wheel) and pan (drag), all offline.
  var boxes = document.querySelectorAll(".zoomable");
  Array.prototype.forEach.call(boxes, function (box) {
    var svg = box.querySelector("svg.graph");
    if (!svg) { return; }
    var W = parseFloat(svg.dataset.width), H = parseFloat(svg.dataset.height);
    var vb = {x: 0, y: 0, w: W, h: H};
    var set = function () {
      svg.setAttribute("viewBox", vb.x + " " + vb.y + " " + vb.w + " " + vb.h);
    };
    var zoom = function (f, fx, fy) {
      var w = Math.min(W, Math.max(W / 16, vb.w * f)), h = w * H / W;
      vb.x = Math.min(Math.max(vb.x + (vb.w - w) * fx, 0), W - w);
      vb.y = Math.min(Math.max(vb.y + (vb.h - h) * fy, 0), H - h);
      vb.w = w; vb.h = h; set();
    };
    var tools = box.previousElementSibling;
    if (tools && tools.classList.contains("graphtools")) {
      Array.prototype.forEach.call(tools.querySelectorAll("button"), function (b) {
        b.addEventListener("click", function () {
          var z = b.getAttribute("data-zoom");
          if (z === "in") { zoom(0.7, 0.5, 0.5); }
          else if (z === "out") { zoom(1 / 0.7, 0.5, 0.5); }
          else { vb = {x: 0, y: 0, w: W, h: H}; set(); }
        });
      });
    }
    svg.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) { return; }
      e.preventDefault();
      var r = svg.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85, (e.clientX - r.left) / r.width,
           (e.clientY - r.top) / r.height);
    }, {passive: false});
    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (e) {
      drag = {x: e.clientX, y: e.clientY, vx: vb.x, vy: vb.y}; moved = false;
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var r = svg.getBoundingClientRect(), s = vb.w / r.width;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { moved = true; }
      vb.x = Math.min(Math.max(drag.vx - dx * s, 0), W - vb.w);
      vb.y = Math.min(Math.max(drag.vy - dy * s, 0), H - vb.h);
      set();
    });
    window.addEventListener("pointerup", function () { drag = null; });
    svg.addEventListener("click", function (e) {
      if (moved) { e.preventDefault(); moved = false; }
    }, true);
  });
})();
