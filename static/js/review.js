// Keyboard-first post review: j/k move, p/f/n set the result, d adds a defect, s submits, ? helps.
// Loaded once; the review form is swapped in by htmx after each submit, so state is re-read from the DOM.
(function () {
  "use strict";

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#review-form .review-item"));
  }

  function current() {
    return document.querySelector("#review-form .review-item.active");
  }

  function activate(item) {
    items().forEach(function (el) { el.classList.remove("active"); });
    if (item) {
      item.classList.add("active");
      item.focus({ preventScroll: false });
      item.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var all = items();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
    activate(all[next]);
  }

  function choose(value) {
    var item = current() || items()[0];
    if (!item) { return; }
    var radio = item.querySelector('input[type="radio"][value="' + value + '"]');
    if (radio) { radio.checked = true; syncItemDefect(item); }
    activate(item);
    move(1);
  }

  function newDefectRow() {
    var template = document.getElementById("defect-template");
    var target = document.getElementById("defects");
    if (!template || !target) { return null; }
    target.appendChild(template.content.cloneNode(true));
    var rows = target.querySelectorAll(".defect-row");
    return rows[rows.length - 1];
  }

  function addDefect() {
    var row = newDefectRow();
    if (row) { row.querySelector("select").focus(); }
  }

  // A failed item marked critical or major records a defect of the item's category and severity:
  // pre-fill its row (editable until submit) and drop it again when the item no longer fails.
  function syncItemDefect(item) {
    var id = item.getAttribute("data-item");
    var existing = document.querySelector('#defects .defect-row[data-for-item="' + id + '"]');
    var failed = item.querySelector('input[type="radio"][value="fail"]:checked');
    if (!failed || !item.getAttribute("data-raises")) {
      if (existing) { existing.remove(); }
      return;
    }
    if (existing) { return; }
    var row = newDefectRow();
    if (!row) { return; }
    row.setAttribute("data-for-item", id);
    row.querySelector('input[name="defect_item"]').value = id;
    row.querySelector('select[name="defect_category"]').value = item.getAttribute("data-category");
    row.querySelector('select[name="defect_severity"]').value = item.getAttribute("data-severity");
    row.querySelector('input[name="defect_note"]').value = item.getAttribute("data-criterion");
  }

  function syncAll() { items().forEach(syncItemDefect); }

  function toggleHelp() {
    var modal = document.getElementById("keys-help");
    if (modal && window.bootstrap) { window.bootstrap.Modal.getOrCreateInstance(modal).toggle(); }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("review-form") || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" && event.target.type !== "radio" || tag === "textarea" || tag === "select") {
      if (event.key === "Escape") { event.target.blur(); activate(current() || items()[0]); }
      return;
    }
    var actions = {
      j: function () { move(1); },
      k: function () { move(-1); },
      p: function () { choose("pass"); },
      f: function () { choose("fail"); },
      n: function () { choose("na"); },
      d: addDefect,
      s: function () { document.getElementById("review-form").requestSubmit(); },
      "?": toggleHelp,
    };
    var action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest(".js-add-defect")) { addDefect(); }
    var item = event.target.closest("#review-form .review-item");
    if (item) { activate(item); }
  });

  document.addEventListener("change", function (event) {
    var item = event.target.closest && event.target.closest("#review-form .review-item");
    if (item && event.target.type === "radio") { syncItemDefect(item); }
  });

  function start() {
    syncAll();
    if (items().length && !current()) { activate(items()[0]); }
  }
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", start);
})();
