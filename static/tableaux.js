// On a narrow screen (a phone in the field) static/del.css draws each row of a table as a
// stack of its cells; each cell then says which column it belongs to. This names every cell
// of the page's tables (data-label, which del.css shows before the cell) after its column's
// header, counting the columns a header or a cell spans. Run at each page load, through Turbo
// too. A cell that names itself already (data-label in its template) is left alone.
(function () {
  "use strict";

  function entetes(table) {
    const ligne = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    const noms = [];
    if (!ligne) {
      return noms;
    }
    for (const cellule of ligne.cells) {
      const nom = cellule.textContent.replace(/\s+/g, " ").trim();
      for (let i = 0; i < (cellule.colSpan || 1); i += 1) {
        noms.push(nom);
      }
    }
    return noms;
  }

  function nommer(table) {
    const noms = entetes(table);
    if (!noms.length) {
      return;
    }
    for (const corps of [...table.tBodies, table.tFoot]) {
      if (!corps) {
        continue;
      }
      for (const ligne of corps.rows) {
        let colonne = 0;
        for (const cellule of ligne.cells) {
          const nom = noms[colonne];
          if (nom && !cellule.hasAttribute("data-label") && (cellule.colSpan || 1) === 1) {
            cellule.setAttribute("data-label", nom);
          }
          colonne += cellule.colSpan || 1;
        }
      }
    }
  }

  function nommerTout() {
    document.querySelectorAll("table.del-table").forEach(nommer);
  }

  document.addEventListener("turbo:load", nommerTout);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", nommerTout);
  } else {
    nommerTout();
  }
})();
