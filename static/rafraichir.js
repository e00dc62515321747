// A page that follows a background job (travaux) names its refresh delay in
// <meta name="rafraichir" content="SECONDS">; this reloads it after that delay, through
// Turbo when the page has it. Not <meta http-equiv="refresh">: under Turbo the document
// stays when the user follows a link, and the browser's pending refresh then brought him
// back to the job's page. Here the timer stops as soon as another visit starts.
(function () {
  "use strict";
  let minuteur = null;

  function arreter() {
    if (minuteur !== null) {
      clearTimeout(minuteur);
      minuteur = null;
    }
  }

  function armer() {
    arreter();
    const meta = document.querySelector('meta[name="rafraichir"]');
    if (!meta) {
      return;
    }
    const secondes = parseInt(meta.content, 10) || 2;
    minuteur = setTimeout(function () {
      minuteur = null;
      if (window.Turbo) {
        window.Turbo.visit(window.location.href, { action: "replace" });
      } else {
        window.location.reload();
      }
    }, secondes * 1000);
  }

  document.addEventListener("turbo:before-visit", arreter);
  document.addEventListener("turbo:visit", arreter);
  document.addEventListener("turbo:load", armer);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", armer);
  } else {
    armer();
  }
})();
