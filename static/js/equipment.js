// Equipment check: a test tone, 3 s microphone recording played back, webcam preview, and
// the face / ID photos taken from the webcam (canvas → JPEG → POST with the CSRF header).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function $(sel) { return document.querySelector(sel); }

  function isPhone() {
    var touchOnly = window.matchMedia && window.matchMedia("(hover: none) and (pointer: coarse)").matches;
    return touchOnly && Math.min(window.screen.width, window.screen.height) < 600;
  }

  function playTone() {
    var status = $("[data-tone-status]");
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { status.textContent = "Votre navigateur ne sait pas jouer de son : mettez-le à jour."; return; }
    var ctx = new Ctx();
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.frequency.value = 440;
    gain.gain.value = 0.2;
    osc.connect(gain); gain.connect(ctx.destination);
    osc.start(); osc.stop(ctx.currentTime + 1);
    status.textContent = "Un son de 1 seconde est joué. Si vous ne l'entendez pas, vérifiez le volume.";
  }

  function recordMic() {
    var status = $("[data-mic-status]");
    var playback = $("[data-mic-playback]");
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      status.textContent = "Votre navigateur ne permet pas d'enregistrer : utilisez un navigateur à jour.";
      return;
    }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [];
      var recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { if (e.data.size) { chunks.push(e.data); } };
      recorder.onstop = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        playback.src = URL.createObjectURL(new Blob(chunks, { type: recorder.mimeType }));
        playback.hidden = false;
        playback.play().catch(function () {});
        status.textContent = "Enregistrement terminé : écoutez-vous.";
        status.setAttribute("data-recorded", "1");
      };
      recorder.start();
      status.textContent = "Enregistrement en cours (3 secondes)… parlez.";
      setTimeout(function () { recorder.stop(); }, 3000);
    }).catch(function () {
      status.textContent = "Accès au micro refusé : autorisez-le dans votre navigateur.";
    });
  }

  var video = null;
  function startCamera() {
    var status = $("[data-camera-status]");
    video = $("[data-camera]");
    if (!navigator.mediaDevices) { status.textContent = "Webcam indisponible : envoyez un fichier."; return Promise.reject(); }
    return navigator.mediaDevices.getUserMedia({ video: true }).then(function (stream) {
      video.srcObject = stream;
      status.textContent = "Webcam active.";
      return video.play().catch(function () {});
    }).catch(function () {
      status.textContent = "Accès à la webcam refusé : autorisez-le ou envoyez un fichier.";
      throw new Error("camera");
    });
  }

  function capture(button) {
    var kind = button.getAttribute("data-capture");
    var state = document.querySelector('[data-photo-state="' + kind + '"]');
    var ready = video && video.srcObject ? Promise.resolve() : startCamera();
    ready.then(function () {
      var canvas = $("[data-canvas]");
      canvas.width = video.videoWidth || 640;
      canvas.height = video.videoHeight || 480;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        fetch(button.getAttribute("data-url"), {
          method: "POST", credentials: "same-origin", body: blob,
          headers: { "X-CSRFToken": csrfToken(), "Content-Type": "image/jpeg" }
        }).then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
          .then(function (res) {
            if (!res.ok) { state.textContent = res.d.error || "Échec de l'envoi."; return; }
            document.querySelector('[data-thumb="' + kind + '"]').src = res.d.url;
            state.textContent = "Photo enregistrée.";
            state.setAttribute("data-saved", "1");
          }).catch(function () { state.textContent = "Connexion perdue : réessayez."; });
      }, "image/jpeg", 0.85);
    }).catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (isPhone()) {
      var block = $("[data-phone-block]");
      if (block) { block.hidden = false; }
      document.querySelectorAll("[data-device-content]").forEach(function (el) { el.hidden = true; });
      return;
    }
    var tone = $("[data-play-tone]");
    if (tone) { tone.addEventListener("click", playTone); }
    var mic = $("[data-record-mic]");
    if (mic) { mic.addEventListener("click", recordMic); }
    var cam = $("[data-start-camera]");
    if (cam) { cam.addEventListener("click", function () { startCamera().catch(function () {}); }); }
    document.querySelectorAll("[data-capture]").forEach(function (button) {
      button.addEventListener("click", function () { capture(button); });
    });
  });
})();
