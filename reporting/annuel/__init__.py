"""The bilan annuel (docs/domaine.md step 10, CCTP "bilan annuel" per action): the indicators of a
period, lot and prestataire laid out as tables and charts, the nominative recap of the
period's people, and the bilan record the prestataire's direction writes its analysis in.

The DEL may ask for it at any time: everything here is computed on demand for any period,
from `reporting.indicateurs.calculer_indicateurs` and a few aggregation queries (their number
does not grow with the number of parcours).

One module per job: `chiffres` computes a selection's figures, `graphiques` lays out its
charts, `redaction` runs the bilan record (ask, open, write, send), `fichiers` builds the
nominative recap and the XLSX and PDF files. Their public names are re-exported here, but for
the chart geometry of `graphiques`, which pages and files reach through `Figures`.
"""

from .chiffres import (
    Figures,
    Filtres,
    entrees_par_mois,
    figures,
    graphique_des_entrees,
    graphique_des_freins,
    graphique_des_sorties,
    part,
    volume_annuel,
)
from .fichiers import (
    LigneRecapitulatif,
    RecapitulatifResource,
    classeur,
    nom_de_fichier,
    pdf,
    recapitulatif_nominatif,
)
from .redaction import (
    enregistrer_analyse,
    exiger_brouillon,
    filtres_du_bilan,
    lots_tenus,
    ouvrir,
    peut_demander,
    peut_ouvrir,
    transmettre,
)

__all__ = [
    "Filtres",
    "part",
    "entrees_par_mois",
    "volume_annuel",
    "graphique_des_entrees",
    "Figures",
    "graphique_des_sorties",
    "graphique_des_freins",
    "figures",
    "lots_tenus",
    "filtres_du_bilan",
    "peut_demander",
    "peut_ouvrir",
    "ouvrir",
    "exiger_brouillon",
    "enregistrer_analyse",
    "transmettre",
    "LigneRecapitulatif",
    "recapitulatif_nominatif",
    "RecapitulatifResource",
    "classeur",
    "pdf",
    "nom_de_fichier",
]
