// Orals scoring screen: a stopwatch per part and the report's character counter.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function setupTimer(box) {
    var display = box.querySelector(".oral-timer-display");
    var toggle = box.querySelector("[data-timer-toggle]");
    var reset = box.querySelector("[data-timer-reset]");
    var min = parseInt(box.getAttribute("data-min"), 10) * 60;
    var max = parseInt(box.getAttribute("data-max"), 10) * 60;
    var elapsed = 0, startedAt = null, tick = null;

    function seconds() {
      return elapsed + (startedAt ? Math.floor((Date.now() - startedAt) / 1000) : 0);
    }
    function render() {
      var s = seconds();
      display.textContent = pad(Math.floor(s / 60)) + ":" + pad(s % 60);
      box.classList.toggle("is-ok", s >= min && s <= max);
      box.classList.toggle("is-over", s > max);
    }
    function label(text) {
      toggle.firstChild.nodeValue = text;
    }
    toggle.addEventListener("click", function () {
      if (startedAt) {
        elapsed = seconds(); startedAt = null; clearInterval(tick); label("Reprendre");
      } else {
        startedAt = Date.now(); tick = setInterval(render, 500); label("Pause");
      }
      render();
    });
    reset.addEventListener("click", function () {
      elapsed = 0; startedAt = null; clearInterval(tick); label("Démarrer"); render();
    });
  }

  function setupCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-count-for"));
    var min = parseInt(counter.getAttribute("data-min"), 10);
    if (!field) { return; }
    function render() {
      var n = field.value.trim().length;
      counter.textContent = n + " / " + min + " caractères" + (n >= min ? " ✓" : "");
      counter.classList.toggle("count-ok", n >= min);
    }
    field.addEventListener("input", render);
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-timer]").forEach(setupTimer);
    document.querySelectorAll("[data-count-for]").forEach(setupCounter);
  });
})();
