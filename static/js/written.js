// Written test screen: countdown bar, auto-submit at zero, get-ready pause, ordering widgets,
// audio plays (counted by the server), integrity events, phone refusal. The server holds
// the clock: this file only shows it and sends the answer as it stands at zero.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function post(url, data, keepalive) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: !!keepalive,
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(data).toString()
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function mmss(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    return pad(Math.floor(s / 60)) + ":" + pad(s % 60);
  }

  // --- phones are refused: a narrow screen with touch only -------------------------------
  function isPhone() {
    var touchOnly = window.matchMedia && window.matchMedia("(hover: none) and (pointer: coarse)").matches;
    return touchOnly && Math.min(window.screen.width, window.screen.height) < 600;
  }
  function refusePhones() {
    var block = document.querySelector("[data-phone-block]");
    if (!block || !isPhone()) { return; }
    block.hidden = false;
    document.querySelectorAll("[data-device-content]").forEach(function (el) { el.hidden = true; });
  }

  // --- ordering widgets (word order, sentence order): click/tap/keyboard, no dragging ----
  function initOrder(widget) {
    var placed = widget.querySelector("[data-placed]");
    var bank = widget.querySelector("[data-bank]");
    var inputs = widget.querySelector("[data-order-inputs]");
    function sync() {
      inputs.innerHTML = "";
      placed.querySelectorAll("button.chip").forEach(function (chip) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "order"; input.value = chip.getAttribute("data-value");
        inputs.appendChild(input);
      });
    }
    widget.addEventListener("click", function (event) {
      var chip = event.target.closest("button.chip");
      if (!chip) { return; }
      var li = chip.parentNode;
      var fromBank = li.parentNode === bank;
      var next = li.nextElementSibling || li.previousElementSibling;
      (fromBank ? placed : bank).appendChild(li);
      chip.setAttribute("aria-label", fromBank ? chip.textContent + " (placé, cliquer pour retirer)" : chip.textContent);
      sync();
      var focusTarget = fromBank && next ? next.querySelector("button") : chip;
      if (focusTarget) { focusTarget.focus(); }
    });
    sync();
  }

  // --- audio: the server counts plays and refuses a third ------------------------------------
  function initAudio(box) {
    var button = box.querySelector("[data-play-audio]");
    var left = box.querySelector("[data-plays-left]");
    var audio = box.querySelector("[data-audio-el]");
    var max = parseInt(box.getAttribute("data-max-plays"), 10) || 2;
    var playUrl = box.getAttribute("data-play-url");
    var audioUrl = box.getAttribute("data-audio-url");
    var localPlays = parseInt(box.getAttribute("data-plays"), 10) || 0;
    if (!button) { return; }
    button.addEventListener("click", function () {
      if (!playUrl) { // practice: no counting
        audio.src = audioUrl; audio.play().catch(function () {});
        return;
      }
      button.disabled = true;
      post(playUrl, { sequence: box.getAttribute("data-sequence") }).then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      }).then(function (res) {
        if (!res.ok) { left.textContent = res.data.error || "Lecture refusée."; return; }
        localPlays += 1;
        audio.src = res.data.url + "?n=" + localPlays;
        audio.play().catch(function () {});
        box.setAttribute("data-plays-done", String(localPlays));
        left.textContent = res.data.left + " écoute(s) restante(s) sur " + max;
        audio.addEventListener("ended", function () { button.disabled = res.data.left <= 0; }, { once: true });
        if (res.data.left > 0) { setTimeout(function () { button.disabled = false; }, 300); }
      }).catch(function () { button.disabled = false; left.textContent = "Connexion perdue : réessayez."; });
    });
  }

  function initItemForm(root) {
    root.querySelectorAll("[data-order-widget]").forEach(initOrder);
    root.querySelectorAll("[data-audio-box]").forEach(initAudio);
  }

  // --- the timed test zone -----------------------------------------------------------------
  var ticker = null;

  function initZone(zone) {
    if (ticker) { clearInterval(ticker); ticker = null; }
    initItemForm(zone);
    var started = performance.now();
    var ready = parseFloat(zone.getAttribute("data-ready")) || 0;
    var remaining = parseFloat(zone.getAttribute("data-remaining")) || 0;
    var limit = parseFloat(zone.getAttribute("data-limit")) || 1;
    var elapsed0 = parseFloat(zone.getAttribute("data-elapsed")) || 0;
    var form = zone.querySelector("[data-answer-form]");
    var getReady = zone.querySelector("[data-get-ready]");
    var readyCount = zone.querySelector("[data-ready-count]");
    var bar = zone.querySelector("[data-timer]");
    var fill = zone.querySelector("[data-timer-fill]");
    var total = zone.querySelector("[data-total-time]");
    var sent = false;
    zone.setAttribute("data-js-ready", "1");
    if (ready > 0) { getReady.hidden = false; form.hidden = true; }
    form.addEventListener("submit", function () { sent = true; });

    function tick() {
      var t = (performance.now() - started) / 1000;
      total.textContent = mmss(elapsed0 + t);
      if (t < ready) { readyCount.textContent = String(Math.ceil(ready - t)); return; }
      if (form.hidden) {
        getReady.hidden = true; form.hidden = false;
        var first = form.querySelector("input:not([type=hidden]), select, button.chip, [data-play-audio]");
        if (first) { first.focus(); }
      }
      var left = Math.max(0, remaining - t);
      var share = left / limit;
      fill.style.width = (Math.min(1, share) * 100).toFixed(1) + "%";
      fill.classList.toggle("timer-green", share > 0.5);
      fill.classList.toggle("timer-yellow", share <= 0.5 && share > 0.2);
      fill.classList.toggle("timer-red", share <= 0.2);
      bar.setAttribute("aria-valuenow", String(Math.round(left)));
      if (left <= 0 && !sent) {
        sent = true;
        form.querySelector("[data-timer-flag]").value = "1";
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    }
    tick();
    ticker = setInterval(tick, 200);
  }

  // The answer must never be lost: on a network error, retry until the server answers.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    var status = document.querySelector("[data-net-status]");
    if (!form || !form.matches || !form.matches("[data-answer-form]")) { return; }
    if (status) { status.textContent = "Connexion perdue : nouvel envoi de votre réponse dans 3 secondes…"; }
    setTimeout(function () { htmx.trigger(form, "submit"); }, 3000);
  });

  // A server error saved nothing (the answer and the next item are saved together): send
  // the answer again, a few times, then say so.
  var serverRetries = 0;
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    var status = document.querySelector("[data-net-status]");
    if (!form || !form.matches || !form.matches("[data-answer-form]")) { return; }
    if (event.detail.xhr.status < 500) { return; }
    if (serverRetries >= 3) {
      if (status) { status.textContent = "Le serveur ne répond pas correctement : votre réponse n'est pas encore enregistrée. Réessayez ou signalez un incident technique."; }
      return;
    }
    serverRetries += 1;
    if (status) { status.textContent = "Erreur du serveur : nouvel envoi de votre réponse dans 3 secondes…"; }
    setTimeout(function () { htmx.trigger(form, "submit"); }, 3000);
  });
  document.addEventListener("htmx:afterSwap", function () { serverRetries = 0; });

  // A refused answer (409: not the current item, or sent during the get-ready pause) is a
  // decision of the server, not a network error: show the fragment it sends (the current
  // item, the rest of its pause, a short message) and never send that answer again.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      serverRetries = 0;
    }
  });

  document.addEventListener("htmx:load", function (event) {
    var el = event.detail.elt;
    if (el && el.matches && el.matches("[data-test-zone]")) { initZone(el); }
  });

  // --- integrity events for the jury ----------------------------------------------------------
  function sendEvent(kind) {
    var zone = document.querySelector("[data-test-zone]");
    if (!zone) { return; }
    post(zone.getAttribute("data-event-url"), { kind: kind }, true).catch(function () {});
  }
  // Leaving the page (reload, closing) is logged by the server as a resumption on return.
  var leaving = false;
  window.addEventListener("pagehide", function () { leaving = true; });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !leaving) { sendEvent("tab_hidden"); }
  });
  window.addEventListener("blur", function () { sendEvent("window_blur"); });
  var wasFullscreen = false;
  document.addEventListener("fullscreenchange", function () {
    if (document.fullscreenElement) { wasFullscreen = true; return; }
    if (wasFullscreen) { sendEvent("fullscreen_exit"); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-fullscreen]") && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    refusePhones();
    var zone = document.querySelector("[data-test-zone]");
    if (zone) { initZone(zone); } else {
      document.querySelectorAll("[data-item-form]").forEach(initItemForm);
    }
  });
})();
