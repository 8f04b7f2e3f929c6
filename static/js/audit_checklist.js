// Keyboard-first audit checklist: j/k move, c/n/o/a answer (conforming, nonconforming,
// observation, not applicable) and move on, s saves, Esc leaves a text field.
(function () {
  "use strict";

  var KEYS = { c: "conforming", n: "nonconforming", o: "observation", a: "not_applicable" };

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#checklist[data-answering] .audit-question"));
  }

  function current() {
    return document.querySelector("#checklist .audit-question.active");
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
    if (radio) { radio.checked = true; }
    activate(item);
    move(1);
  }

  document.addEventListener("keydown", function (event) {
    if (!items().length || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" && event.target.type !== "radio" || tag === "textarea" || tag === "select") {
      if (event.key === "Escape") { event.target.blur(); activate(event.target.closest(".audit-question") || items()[0]); }
      return;
    }
    var action = null;
    if (KEYS[event.key]) { action = function () { choose(KEYS[event.key]); }; }
    if (event.key === "j") { action = function () { move(1); }; }
    if (event.key === "k") { action = function () { move(-1); }; }
    if (event.key === "s") { action = function () { document.getElementById("checklist-form").requestSubmit(); }; }
    if (action) {
      event.preventDefault();
      action();
    }
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest("#checklist .audit-question");
    if (item && items().indexOf(item) >= 0) { item.classList.add("active"); items().forEach(function (el) { if (el !== item) { el.classList.remove("active"); } }); }
  });

  document.addEventListener("DOMContentLoaded", function () { if (items().length) { activate(items()[0]); } });
})();
