"""The indicators page (docs/domaine.md, "Indicators"; docs/contrats.md §3): the figures of
`calculer_indicateurs` for the period, lot and prestataire chosen, as the CCTP table, the
detail tables and charts, and the same figures as XLSX and PDF files. A prestataire's
direction reads its own organisation's figures only, whatever it types in the address.

The demo is seeded on 24/11/2026: ALPHA's summer session has three people entered (WAIA on
31/08/2026, OUNEMOA on 01/09, GOPOEA on 15/09), all still running."""

import html
from datetime import date, timedelta
from io import BytesIO
from itertools import count, cycle

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from bons_de_commande.models import LigneCommande
from prestataires.enums import EtatParcours, MomentEvaluation, TypeFin
from prestataires.models import Evaluation, Parcours
from procurement.models import Frein, Lot, Prescription, Prestataire, TypeSortie
from reporting import annuel, indicateurs
from reporting.indicateurs import calculer_indicateurs, lignes_du_classeur, lignes_du_tableau
from tests.factories import lignes_commandees, parcours_de_la_ligne
from tests.prestataires.conftest import a
from tests.prestataires.test_listes import ecarts, mesurer
from tests.reporting.conftest import creer_bons

PAGE = reverse("indicateurs:index")
ANNEE_2026 = {"du": "2026-01-01", "au": "2026-12-31"}
_series = count()


def cohorte(demo, code: str, nombre: int) -> list[Parcours]:
    """`nombre` people of prestataire `code` on lot 1, prescribed on 01/10/2026 and entered
    across 2026 (one a month from January, then again): a third still running, the others
    gone out to every kind of situation, early or at term, with their freins, satisfaction and
    evaluations at entry and exit. Bulk-created, as a volume."""
    prestataire, lot = Prestataire.objects.get(code=code), Lot.objects.get(numero=1)
    serie = next(_series)
    bon = creer_bons(code, 1)[0]
    with a("2026-10-01"):
        lignes = lignes_commandees(
            range(nombre), bon=bon, prestataire=prestataire, lot=lot,
            conseiller=demo["conseiller1"], duree_mois=6, nom=f"COHORTE{code}{serie}",
        )  # fmt: skip
    sorties, freins = cycle(TypeSortie.objects.order_by("code")), list(Frein.objects.all()[:4])
    parcours = []
    for rang, ligne in enumerate(lignes):
        entree = date(2026, 1 + rang % 10, 1 + rang % 28)
        suivi = {"etat": EtatParcours.EN_COURS}
        if rang % 3:
            suivi = {
                "etat": EtatParcours.TERMINE,
                "date_sortie": entree + timedelta(days=40 + rang),
                "type_fin": TypeFin.TERME if rang % 2 else TypeFin.ANTICIPEE,
                "type_sortie": next(sorties),
                "satisfaction": 1 + rang % 5,
            }
        parcours.append(
            parcours_de_la_ligne(
                ligne, date_premier_contact=entree, date_entree=entree,
                fin_prevue=entree + timedelta(days=180), **suivi,
            )
        )  # fmt: skip
    parcours = Parcours.objects.bulk_create(parcours)
    Evaluation.objects.bulk_create(
        Evaluation(
            parcours=p, moment=moment, date=p.date_entree, projet=1 + (rang + decalage) % 4,
            freins=2, engagement=2, savoir_etre=2, par=demo["alpha1"],
        )
        for rang, p in enumerate(parcours)
        for moment, decalage in ((MomentEvaluation.ENTREE, 0), (MomentEvaluation.SORTIE, 1))
    )  # fmt: skip
    Prescription.freins.through.objects.bulk_create(
        Prescription.freins.through(prescription_id=ligne.prescription_id, frein=frein)
        for rang, ligne in enumerate(lignes)
        for frein in freins[: 1 + rang % 4]
    )
    return parcours


def sessions_nombreuses(demo, code: str, nombre: int) -> list[str]:
    """`nombre` sessions (orders) of prestataire `code` on lot 1, two people entered in each
    in 2026, the second of every other session gone early: many sessions, few people. Returns
    the sessions' names."""
    bons = creer_bons(code, nombre)
    with a("2026-10-01"):
        lignes = lignes_commandees(
            range(2 * nombre), bon=bons[0], prestataire=Prestataire.objects.get(code=code),
            lot=Lot.objects.get(numero=1), conseiller=demo["conseiller1"], duree_mois=6,
            nom=f"SESSIONS{code}{next(_series)}",
        )  # fmt: skip
    for rang, ligne in enumerate(lignes):
        ligne.bon = bons[rang // 2]
    LigneCommande.objects.bulk_update(lignes, ["bon"])
    parcours = []
    for rang, ligne in enumerate(lignes):
        entree = date(2026, 1 + rang % 10, 1 + rang % 28)
        suivi = {"etat": EtatParcours.EN_COURS}
        if rang % 4 == 3:
            suivi = {
                "etat": EtatParcours.TERMINE,
                "date_sortie": entree + timedelta(days=30),
                "type_fin": TypeFin.ANTICIPEE,
                "type_sortie": TypeSortie.objects.order_by("code").first(),
            }
        parcours.append(
            parcours_de_la_ligne(
                ligne, date_premier_contact=entree, date_entree=entree,
                fin_prevue=entree + timedelta(days=180), **suivi,
            )
        )  # fmt: skip
    Parcours.objects.bulk_create(parcours)
    return [bon.numero for bon in bons]


def lire(client, user, **parametres):
    client.force_login(user)
    with a("2026-11-24"):
        return client.get(PAGE, parametres)


def texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


# --- The figures, for the DEL and for a prestataire ---------------------------------------------


def test_le_gestionnaire_lit_les_indicateurs_de_l_annee_en_cours(client, demo_bilans):
    """Without a choice, the page shows the current civil year up to today (Nouméa), every lot
    and every prestataire: the figures of calculer_indicateurs, the CCTP table in full."""
    reponse = lire(client, demo_bilans["gestionnaire1"])

    assert reponse.status_code == 200
    form = reponse.context["form"]
    assert (form.cleaned_data["du"], form.cleaned_data["au"]) == (
        date(2026, 1, 1),
        date(2026, 11, 24),
    )
    attendus = calculer_indicateurs(date(2026, 1, 1), date(2026, 11, 24))
    figures = reponse.context["figures"]
    assert figures.indicateurs == attendus
    assert attendus["entrees"] == 3 and attendus["en_cours"] == 3
    page = texte(reponse)
    for libelle, valeur in lignes_du_tableau(attendus):
        assert f'<td>{libelle}</td><td class="del-num">{valeur}</td>' in page
    assert "BC-2026-0001" in page  # the summer session's integration rate


def test_une_borne_omise_est_celle_de_l_annee_en_cours(client, demo_bilans):
    reponse = lire(client, demo_bilans["gestionnaire1"], lot="1")

    assert reponse.context["figures"].filtres == annuel.Filtres(
        date(2026, 1, 1), date(2026, 11, 24), lot=1
    )


def test_la_direction_d_un_prestataire_lit_ses_seuls_chiffres(client, demo_bilans):
    """alpha1 reads ALPHA's figures, without a prestataire field; naming another prestataire
    in the address changes nothing."""
    cohorte(demo_bilans, "BETA", 4)

    reponse = lire(client, demo_bilans["alpha1"], prestataire="BETA", **ANNEE_2026)

    assert reponse.status_code == 200
    assert "prestataire" not in reponse.context["form"].fields
    assert 'name="prestataire"' not in reponse.content.decode()
    figures = reponse.context["figures"]
    assert figures.filtres.prestataire == "ALPHA"
    assert figures.indicateurs == calculer_indicateurs(
        date(2026, 1, 1), date(2026, 12, 31), prestataire="ALPHA"
    )
    assert figures.indicateurs["entrees"] == 3


def test_beta_ne_voit_jamais_les_chiffres_d_alpha(client, demo_bilans):
    """ALPHA has people entered in 2026; beta1 reads 0 entries, even when it asks for
    ALPHA's figures in the address, on the page as in its files."""
    cohorte(demo_bilans, "ALPHA", 6)
    assert (
        calculer_indicateurs(date(2026, 1, 1), date(2026, 12, 31), prestataire="ALPHA")["entrees"]
        == 9
    )

    reponse = lire(client, demo_bilans["beta1"], prestataire="ALPHA", **ANNEE_2026)

    figures = reponse.context["figures"]
    assert figures.filtres.prestataire == "BETA"
    assert figures.indicateurs["entrees"] == 0
    assert figures.indicateurs["sessions"] == []
    assert figures.entrees.total == 0
    page = texte(reponse)
    assert "BC-2026-0001" not in page and "ALPHA-VOL" not in page
    with a("2026-11-24"):
        fichier = client.get(
            reverse("indicateurs:export", args=["xlsx"]), {"prestataire": "ALPHA", **ANNEE_2026}
        )
    feuille = openpyxl.load_workbook(BytesIO(fichier.content))["Tableau CCTP"]
    valeurs = dict(feuille.iter_rows(min_row=2, values_only=True))
    assert valeurs["Entrées en parcours (effectif initial)"] == 0


# --- The charts -------------------------------------------------------------------------------


def test_les_graphiques_ecrivent_leurs_valeurs(client, demo_bilans):
    """Entries per month, from one aggregation query, add up to the cohort; the chart says
    each month's count in its text, the running total, and the yearly volume of the lots
    held (ALPHA 50 to 80, BETA 50 to 80, GAMMA 5) prorated over the period; the exits chart
    splits the cohort by class of exit."""
    cohorte(demo_bilans, "ALPHA", 12)
    reponse = lire(client, demo_bilans["gestionnaire1"], **ANNEE_2026)
    figures = reponse.context["figures"]
    indicateurs = figures.indicateurs

    assert sum(mois.entrees for mois in figures.entrees.mois) == indicateurs["entrees"] == 15
    assert figures.entrees.volume == (105, 165)
    page = texte(reponse)
    assert page.count('role="img"') == 3
    assert '<title id="entrees-par-mois-titre">Entrées par mois et volume annuel</title>' in page
    assert "août 2026 : 2" in page  # WAIA, and the cohort's 8th person (entered 08/08)
    assert "septembre 2026 : 3" in page  # OUNEMOA, GOPOEA and the 9th
    assert "15 au total" in page
    assert "Cible : 105 à 165 personnes par an, au prorata de la période" in page
    # End of January: 31 days of 365, 105 × 31 ÷ 365 = 8.9 and 165 × 31 ÷ 365 = 14.0.
    assert "8,9 à 14,0" in page
    # The whole year: the whole volume.
    assert "105,0 à 165,0" in page

    ed = indicateurs["emploi_durable"]
    sd = indicateurs["sorties_dynamiques"] - ed
    barres = {barre.libelle: barre.valeur for barre in figures.sorties.barres}
    assert barres == {
        "Emploi durable (ED)": ed,
        "Sortie dynamique hors ED (SD)": sd,
        "Sortie positive hors SD (SP)": indicateurs["sorties_positives"]
        - indicateurs["sorties_dynamiques"],
        "Sortie sans solution positive": indicateurs["sorties"] - indicateurs["sorties_positives"],
        "Toujours en parcours": indicateurs["en_cours"],
    }
    assert sum(barres.values()) == 15
    for barre in figures.sorties.barres:
        assert f">{barre.texte}</text>" in page
        assert f"{barre.libelle} : {barre.texte}" in page  # in the chart's description
    for code, nombre in indicateurs["freins"].items():
        libelle = Frein.objects.get(code=code).libelle
        assert f"{libelle} : {nombre} (" in page


def test_les_entrees_par_mois_en_une_requete(demo_bilans, django_assert_num_queries):
    cohorte(demo_bilans, "ALPHA", 10)
    filtres = annuel.Filtres(date(2026, 1, 1), date(2026, 12, 31), lot=1, prestataire="ALPHA")

    with django_assert_num_queries(1):
        par_mois = annuel.entrees_par_mois(filtres)

    assert par_mois[date(2026, 9, 1)] == 2 + 1
    assert sum(par_mois.values()) == 13


def test_la_cible_d_une_direction_est_le_volume_de_son_lot(client, demo_bilans):
    reponse = lire(client, demo_bilans["alpha1"], **ANNEE_2026)

    assert reponse.context["figures"].entrees.volume == (50, 80)
    assert "Cible : 50 à 80 personnes par an" in texte(reponse)


# --- Invalid input: French messages on the fields, no figures -----------------------------------


@pytest.mark.parametrize(
    ("parametres", "champ", "message"),
    [
        (
            {"du": "2026-12-01", "au": "2026-01-31"},
            "au",
            "La fin de la période doit être le même jour que son début ou après.",
        ),
        ({"du": "2026-02-30", "au": "2026-03-31"}, "du", "Saisissez une date valide."),
        ({"du": "", "au": "2026-03-31"}, "du", "Ce champ est obligatoire."),
        (
            {"du": "2026-01-01", "au": "2026-03-31", "lot": "3"},
            "lot",
            "Sélectionnez un choix valide. 3 n’en fait pas partie.",
        ),
    ],
)
def test_une_periode_invalide_ne_montre_aucun_chiffre(client, demo_bilans, parametres, champ,
                                                       message):  # fmt: skip
    reponse = lire(client, demo_bilans["gestionnaire1"], **parametres)

    assert reponse.status_code == 400
    assert reponse.context["figures"] is None
    assert reponse.context["form"].errors[champ] == [message]
    page = texte(reponse)
    assert message in page
    assert "tableau-cctp" not in page and 'role="img"' not in page
    with a("2026-11-24"):
        fichier = client.get(reverse("indicateurs:export", args=["pdf"]), parametres)
    assert fichier.status_code == 400
    assert fichier["Content-Type"].startswith("text/html")


# --- The files ----------------------------------------------------------------------------------


@pytest.mark.pdf
def test_les_fichiers_portent_les_memes_chiffres(client, demo_bilans):
    """The XLSX and PDF buttons download the `indicateurs` command's files for the same
    selection."""
    cohorte(demo_bilans, "ALPHA", 5)
    client.force_login(demo_bilans["alpha1"])
    attendus = calculer_indicateurs(date(2026, 1, 1), date(2026, 12, 31), prestataire="ALPHA")
    reponse = lire(client, demo_bilans["alpha1"], **ANNEE_2026)
    page = reponse.content.decode()
    assert f"{reverse('indicateurs:export', args=['xlsx'])}?du=2026-01-01&amp;au=2026-12-31" in page

    with a("2026-11-24"):
        xlsx = client.get(reverse("indicateurs:export", args=["xlsx"]), ANNEE_2026)
        pdf = client.get(reverse("indicateurs:export", args=["pdf"]), ANNEE_2026)

    assert xlsx["Content-Disposition"] == (
        'attachment; filename="indicateurs-2026-01-01-2026-12-31-tous-lots-ALPHA.xlsx"'
    )
    feuille = openpyxl.load_workbook(BytesIO(xlsx.content))["Tableau CCTP"]
    assert list(feuille.iter_rows(min_row=2, values_only=True)) == lignes_du_classeur(attendus)
    contenu = b"".join(pdf.streaming_content)
    texte_pdf = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(BytesIO(contenu)).pages
    )
    assert "prestataire ALPHA" in texte_pdf
    assert f"Entrées en parcours (effectif initial) {attendus['entrees']}" in texte_pdf


# --- Volume ---------------------------------------------------------------------------------------


def test_la_page_a_un_nombre_de_requetes_constant(client, demo_bilans):
    """5 or 30 people in ALPHA's cohort: the same number of queries, for the DEL and for
    each direction."""
    url = f"{PAGE}?du=2026-01-01&au=2026-12-31"
    lecteurs = ("gestionnaire1", "alpha1", "beta1")
    cohorte(demo_bilans, "ALPHA", 5)
    with a("2026-11-24"):
        avant = mesurer(client, demo_bilans, [url], lecteurs=lecteurs)
    cohorte(demo_bilans, "ALPHA", 25)
    cohorte(demo_bilans, "BETA", 5)
    with a("2026-11-24"):
        apres = mesurer(client, demo_bilans, [url], lecteurs=lecteurs)

    assert apres["gestionnaire1", url].reponse.context["figures"].indicateurs["entrees"] == 38
    assert ecarts(avant, apres) == {}


def test_les_sessions_resumees_requetes_constantes(client, demo_bilans):
    """5 sessions or 35 (the summer session BC-2026-0001 besides): the same queries, for the DEL
    and for a direction; every session shown while they are few, then the 10 largest only
    (the summer session's 3 people first), each still in the workbook."""
    url = f"{PAGE}?du=2026-01-01&au=2026-12-31"
    lecteurs = ("gestionnaire1", "alpha1")
    premieres = sessions_nombreuses(demo_bilans, "ALPHA", 5)
    with a("2026-11-24"):
        avant = mesurer(client, demo_bilans, [url], lecteurs=lecteurs)
    suivantes = sessions_nombreuses(demo_bilans, "ALPHA", 30)
    with a("2026-11-24"):
        apres = mesurer(client, demo_bilans, [url], lecteurs=lecteurs)

    assert ecarts(avant, apres) == {}
    page_avant = texte(avant["gestionnaire1", url].reponse)
    assert all(session in page_avant for session in ["BC-2026-0001", *premieres])
    page = texte(apres["gestionnaire1", url].reponse)
    assert apres["gestionnaire1", url].reponse.context["figures"].indicateurs["entrees"] == 73
    montrees = [session for session in ["BC-2026-0001", *premieres, *suivantes] if session in page]
    assert montrees == ["BC-2026-0001", *premieres, *suivantes[:4]]  # 3 people, then by name
    assert "Les 10 sessions les plus nombreuses, sur 36" in page
    assert "<td>Toutes les sessions</td>" in page
    with a("2026-11-24"):
        fichier = client.get(reverse("indicateurs:export", args=["xlsx"]), ANNEE_2026)
    feuille = openpyxl.load_workbook(BytesIO(fichier.content))["Sessions"]
    assert feuille.max_row == 1 + 36


@pytest.mark.pdf
def test_le_pdf_tient_en_cinq_pages_quel_que_soit_le_nombre_de_sessions(demo_bilans):
    """250 sessions of two people: listed one per row, they would fill six pages on their own;
    summarised, the whole PDF stays within five."""
    sessions = sessions_nombreuses(demo_bilans, "BETA", 250)
    donnees = calculer_indicateurs(date(2026, 1, 1), date(2026, 12, 31))
    assert len(donnees["sessions"]) == 251

    with a("2026-11-24"):
        contenu = indicateurs.pdf(donnees, "du 01/01/2026 au 31/12/2026")

    lecteur = PdfReader(BytesIO(contenu))
    assert len(lecteur.pages) <= 5
    texte_pdf = " ".join(" ".join(page.extract_text().split()) for page in lecteur.pages)
    assert "Les 10 sessions les plus nombreuses, sur 251" in texte_pdf
    assert "Toutes les sessions 251 503" in texte_pdf
    assert [session for session in sessions if session in texte_pdf] == sessions[:9]
