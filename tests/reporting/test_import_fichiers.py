"""Import of the parcours history (docs/contrats.md §2), the file and its columns checked before
anything is written: the formats read (CSV with `;` or `,`, with or without BOM, XLSX), the dry
run, and every refusal, printed as `line N: column: message` with nothing written. On the demo
data, with a frozen clock (24/11/2026, Nouméa)."""

from datetime import date

import pytest
from django.core.management import CommandError

from prestataires.models import Parcours
from procurement.models import Demandeur
from reporting.importation import COLONNES
from reporting.models import ImportParcours
from tests.reporting.historique import (
    deux_lignes,
    en_csv,
    en_xlsx,
    importer,
    photo,
    rangee,
    session_ete_2024,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("le_jour_de_l_import")]

# --- Formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "contenu, nom",
    [
        (lambda: en_csv(session_ete_2024(), separateur=";"), "suivi.csv"),
        (lambda: en_csv(session_ete_2024(), separateur=","), "suivi.csv"),
        (lambda: en_csv(session_ete_2024(), separateur=";", bom=True), "suivi.csv"),
        (lambda: en_csv(session_ete_2024(), separateur=",", bom=True), "suivi.csv"),
        (lambda: en_xlsx(session_ete_2024()), "suivi.xlsx"),
    ],
    ids=["point-virgule", "virgule", "bom-point-virgule", "bom-virgule", "xlsx"],
)
def test_csv_point_virgule_ou_virgule_avec_ou_sans_bom_et_xlsx(demo, tmp_path, contenu, nom):
    """docs/contrats.md §2: `.csv` (UTF-8, with or without BOM; `;` or `,`, detected) and `.xlsx`
    (date cells or text dates) give the same import."""
    code, sortie, erreurs = importer(tmp_path, contenu(), nom=nom)
    assert (code, erreurs) == (0, "")
    assert "créées : 6" in sortie
    parcours = Parcours.objects.get(ligne__prescription__reference="H-0001")
    assert (parcours.date_entree, parcours.fin_prevue) == (date(2024, 2, 29), date(2024, 8, 28))
    assert Demandeur.objects.get(nom="WAKA").prenom == "Léa"


def test_un_fichier_ni_csv_ni_xlsx_est_refuse_en_francais(demo, tmp_path):
    with pytest.raises(CommandError, match="un fichier .csv ou .xlsx est attendu"):
        importer(tmp_path, b"reference\n", nom="suivi.txt")
    with pytest.raises(CommandError, match="Le classeur XLSX ne peut pas être lu"):
        importer(tmp_path, b"pas un classeur", nom="suivi.xlsx")
    with pytest.raises(CommandError, match="n'est pas en UTF-8"):
        importer(tmp_path, "reference;nom\nH-1;Bérénice\n".encode("latin-1"))


def test_dry_run_valide_compte_et_n_ecrit_rien(demo, tmp_path):
    """docs/contrats.md §2: `--dry-run` validates, prints the counts it would create and update,
    and writes nothing (the dry run is journaled as such)."""
    avant = photo()
    code, sortie, _ = importer(tmp_path, en_csv(session_ete_2024()), "--dry-run")
    assert code == 0
    assert sortie == (
        "Essai à blanc de suivi.csv, rien n'est écrit : 6 lignes ; à créer : 6, "
        "à mettre à jour : 0, inchangées : 0.\n"
    )
    assert photo() == avant
    assert list(ImportParcours.objects.values_list("essai", "crees")) == [(True, 6)]


# --- Refusals: every error, `line N: column: message`, nothing written ------------------------

# The second row without a session, hence without a parcours nor its exit.
SANS_PARCOURS = {
    "session": "",
    "date_entree": "",
    "date_sortie": "",
    "type_sortie": "",
    "sortie_anticipee": "",
    "motif_sortie_anticipee": "",
}

REFUS = {
    # name: (change to the second row, line 3, the expected error lines). What the screens
    # refuse for another reason (an exit at term before the planned end or without a stage, a
    # date in the future, one person with two communes) is imported with a warning:
    # tests/reporting/test_import.py.
    "date_invalide": (
        {"date_entree": "31/02/2024"},
        ["line 3: date_entree: date invalide « 31/02/2024 » : attendu AAAA-MM-JJ ou JJ/MM/AAAA"],
    ),
    "entree_avant_commission": (
        {"date_entree": "2024-01-19"},
        ["line 3: date_entree: la date d'entrée précède la date de commission"],
    ),
    "commission_avant_prescription": (
        {"date_commission": "2024-01-05", "date_entree": "2024-01-19"},
        ["line 3: date_commission: la date de commission précède la date de prescription"],
    ),
    "sortie_avant_entree": (
        {"date_sortie": "2024-02-15"},
        ["line 3: date_sortie: la date de sortie précède la date d'entrée"],
    ),
    "frein_inconnu": (
        {"freins": "mobilite|velo"},
        ["line 3: freins: frein inconnu « velo »"],
    ),
    "validee_sans_duree_au_lot_1": (
        {"duree_mois": ""},
        ["line 3: duree_mois: obligatoire pour une décision validée au lot 1 (1 à 24 mois)"],
    ),
    "duree_hors_bornes": (
        {"duree_mois": "25"},
        ["line 3: duree_mois: 25 mois : de 1 à 24 mois au lot 1"],
    ),
    "type_sortie_sans_date_de_sortie": (
        {"date_sortie": "", "sortie_anticipee": "", "motif_sortie_anticipee": ""},
        ["line 3: type_sortie: seulement avec une date de sortie"],
    ),
    "date_de_sortie_sans_type": (
        {"type_sortie": ""},
        ["line 3: type_sortie: obligatoire avec une date de sortie"],
    ),
    "sortie_anticipee_sans_motif": (
        {"motif_sortie_anticipee": ""},
        ["line 3: motif_sortie_anticipee: obligatoire pour une sortie anticipée"],
    ),
    "stage_hors_du_parcours": (
        {"stage_entreprise": "Garage", "stage_debut": "2024-02-20", "stage_fin": "2024-05-20"},
        [
            "line 3: stage_debut: le stage commence avant l'entrée en parcours (01/03/2024)",
            "line 3: stage_fin: le stage finit après la sortie du parcours (15/05/2024)",
        ],
    ),  # fmt: skip
    "stage_incomplet": (
        {"stage_entreprise": "Garage", "stage_debut": "2024-03-20"},
        [
            "line 3: stage_fin: à remplir : un stage a son entreprise, son premier et son dernier "
            "jour"
        ],
    ),  # fmt: skip
    "evaluation_incomplete_et_hors_echelle": (
        {"eval_sortie_projet": "5", "eval_sortie_freins": "2"},
        [
            "line 3: eval_sortie_projet: 5 : entre 1 et 4",
            "line 3: eval_sortie_engagement: à remplir : les quatre axes d'une évaluation vont "
            "ensemble",
            "line 3: eval_sortie_savoir_etre: à remplir : les quatre axes d'une évaluation vont "
            "ensemble",
        ],
    ),  # fmt: skip
    "satisfaction_hors_echelle": (
        {"satisfaction": "6"},
        ["line 3: satisfaction: 6 : entre 1 et 5"],
    ),
    "refusee_sans_motif": (
        {"decision": "refusee", "duree_mois": "", **SANS_PARCOURS},
        ["line 3: motif_refus: obligatoire pour une décision refusée (un code de frein)"],
    ),  # fmt: skip
    "entree_sans_validation": (
        {"decision": "ajournee", "duree_mois": "", "session": ""},
        [
            "line 3: session: obligatoire avec une date d'entrée",
            "line 3: date_entree: seulement pour une décision validée",
        ],
    ),  # fmt: skip
    "decision_sans_date_de_commission": (
        {"date_commission": ""},
        ["line 3: date_commission: obligatoire avec une décision"],
    ),
    "duree_au_lot_2": (
        {"lot": "2", "prestataire": "GAMMA", "session": "G-1"},
        ["line 3: duree_mois: à laisser vide au lot 2 : la durée y est toujours de 8 mois"],
    ),
    "prestataire_sans_ce_lot": (
        {"lot": "2", "duree_mois": ""},
        [
            "line 3: lot: la session S-2024-01 est au lot 1 (ligne 2) : une session a un seul lot",
            "line 3: prestataire: ALPHA ne détient pas le lot 2",
        ],
    ),  # fmt: skip
    "session_de_deux_prestataires": (
        {"prestataire": "BETA"},
        [
            "line 3: prestataire: la session S-2024-01 est celle de ALPHA (ligne 2) : une session "
            "a un seul prestataire"
        ],
    ),  # fmt: skip
    "session_numero_d_un_bon_de_l_application": (
        {"session": "BC-2026-0001"},
        [
            "line 3: session: « BC-2026-0001 » est le numéro d'un bon de commande émis dans "
            "l'application"
        ],
    ),  # fmt: skip
    "reference_en_double": (
        {"reference": "H-0001"},
        ["line 3: reference: référence déjà utilisée ligne 2"],
    ),
    "conseiller_qui_n_en_est_pas_un": (
        {"conseiller": "alpha1"},
        ["line 3: conseiller: conseiller à l'emploi inconnu « alpha1 »"],
    ),
    "commune_et_genre_inconnus": (
        {"commune": "Koné", "genre": "Z"},
        [
            "line 3: genre: valeur « Z » inconnue : F, M ou X",
            "line 3: commune: commune inconnue « Koné »",
        ],
    ),  # fmt: skip
    "travailleur_social_qui_n_en_est_pas_un": (
        {"travailleur_social": "conseiller2"},
        ["line 3: travailleur_social: travailleur social inconnu « conseiller2 »"],
    ),
    "motif_de_refus_sans_refus": (
        {"motif_refus": "sante"},
        ["line 3: motif_refus: seulement pour une décision refusée"],
    ),
    "motif_de_refus_qui_n_est_pas_un_frein": (
        {"decision": "refusee", "motif_refus": "humeur", "duree_mois": "", **SANS_PARCOURS},
        ["line 3: motif_refus: motif de refus (code de frein) inconnu « humeur »"],
    ),  # fmt: skip
    "bilan_transmis_sans_session": (
        {**SANS_PARCOURS, "bilan_transmis": "2024-09-15"},
        ["line 3: bilan_transmis: seulement sur une ligne qui a une session"],
    ),  # fmt: skip
    "deux_dates_de_bilan_pour_une_session": (
        {"bilan_transmis": "2024-09-16"},
        [
            "line 3: bilan_transmis: la session S-2024-01 a un autre bilan_transmis ligne 2 "
            "(15/09/2024)"
        ],
    ),  # fmt: skip
    "lot_inconnu": (
        {"lot": "3"},
        ["line 3: lot: lot inconnu « 3 » : 1 ou 2"],
    ),
    "obligatoire_vide": (
        {"nom": ""},
        ["line 3: nom: obligatoire"],
    ),
}


@pytest.mark.parametrize("changement, attendu", list(REFUS.values()), ids=list(REFUS))
def test_une_ligne_invalide_est_refusee_avec_sa_ligne_et_sa_colonne_et_rien_n_est_ecrit(
    demo, tmp_path, changement, attendu
):
    """docs/contrats.md §2: "A file with any invalid row writes nothing; the command prints every
    error as `line N: column: message` and exits with status 1"; the header is line 1."""
    rangees = deux_lignes()
    rangees[1] = rangees[1] | changement
    avant = photo()
    code, sortie, erreurs = importer(tmp_path, en_csv(rangees))
    assert code == 1 and sortie == ""
    assert erreurs.splitlines() == [
        *attendu,
        f"{len(attendu)} erreur(s) dans suivi.csv : rien n'a été importé.",
    ]
    assert photo() == avant
    assert not ImportParcours.objects.exists()


def test_colonne_inconnue_et_colonne_obligatoire_absente_sur_la_ligne_1(demo, tmp_path):
    """docs/contrats.md §2: "Unknown columns are an error (a typo must not silently drop data)"."""
    colonnes = [c for c in COLONNES if c != "conseiller"] + ["satisfation"]
    code, _, erreurs = importer(tmp_path, en_csv([rangee()], colonnes=colonnes))
    assert code == 1
    assert erreurs.splitlines()[:2] == [
        "line 1: satisfation: colonne inconnue",
        "line 1: conseiller: colonne obligatoire absente du fichier",
    ]


def test_toutes_les_erreurs_de_toutes_les_lignes_sont_listees(demo, tmp_path):
    """Every error is printed, line by line (a blank line of the CSV still counts)."""
    rangees = [rangee(date_naissance="1995-13-01"), rangee(reference="H-2", freins="velo")]
    contenu = en_csv(rangees).replace(b"\r\nH-2", b"\r\n\r\nH-2")
    code, _, erreurs = importer(tmp_path, contenu)
    assert code == 1
    assert erreurs.splitlines()[:2] == [
        "line 2: date_naissance: date invalide « 1995-13-01 » : attendu AAAA-MM-JJ ou JJ/MM/AAAA",
        "line 4: freins: frein inconnu « velo »",
    ]
