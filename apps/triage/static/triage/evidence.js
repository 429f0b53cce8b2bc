// CCTV evidence panel: "Play" asks for a logged, short-lived URL and plays it in the page.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    document.querySelectorAll("form.lw-play-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var figure = form.closest(".lw-clip");
        var video = figure.querySelector("video");
        fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
          credentials: "same-origin"
        }).then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        }).then(function (answer) {
          if (!answer.ok) { throw new Error(answer.body.error ? answer.body.error.message : "error"); }
          video.src = answer.body.url;
          video.play().catch(function () { /* autoplay may be refused: the controls remain */ });
        }).catch(function (error) {
          figure.setAttribute("data-error", error.message);
        });
      });
    });
  });
})();
