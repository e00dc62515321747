// The prescription's form: the prestataire select (data-selon-lot: the id of the lot select)
// offers only the prestataires that hold the chosen lot, each option naming its lots in
// data-lots. The server refuses any other all the same, at the field, in French.
(function () {
  "use strict";

  function filtrer(lot, prestataire) {
    for (const option of prestataire.options) {
      if (!option.value) {
        continue;
      }
      const tient = !lot.value || (option.dataset.lots || "").split(" ").includes(lot.value);
      option.hidden = !tient;
      option.disabled = !tient;
    }
    const choisie = prestataire.options[prestataire.selectedIndex];
    if (choisie && choisie.disabled) {
      prestataire.value = "";
    }
  }

  function armer() {
    for (const prestataire of document.querySelectorAll("select[data-selon-lot]")) {
      const lot = document.getElementById(prestataire.dataset.selonLot);
      if (!lot || lot.dataset.prestatairesFiltres) {
        continue;
      }
      lot.dataset.prestatairesFiltres = "1";
      lot.addEventListener("change", function () {
        filtrer(lot, prestataire);
      });
      filtrer(lot, prestataire);
    }
  }

  document.addEventListener("turbo:load", armer);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", armer);
  } else {
    armer();
  }
})();
