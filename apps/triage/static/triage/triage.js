// Triage admin: fills the officer's geotag for the after-photo (no external scripts).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // A response template fills the note (or question) of its own form.
    document.querySelectorAll("select.lw-template").forEach(function (select) {
      select.addEventListener("change", function () {
        var field = select.form.querySelector("textarea, input[name=note]");
        if (field && select.value) { field.value = select.value; }
      });
    });
    var button = document.getElementById("lw-geotag");
    if (!button || !navigator.geolocation) { return; }
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("lw-lat").value = position.coords.latitude.toFixed(7);
        document.getElementById("lw-lon").value = position.coords.longitude.toFixed(7);
        button.textContent = position.coords.latitude.toFixed(5) + ", " + position.coords.longitude.toFixed(5);
      });
    });
  });
})();
