"""Least knowledge in files (issue 16, finding 5): one rule (documents/moindre_connaissance.py)
says what a prestataire's documents never carry, and every document a prestataire's user can
download obeys it: given the prescription's motif, the address, the sensitive freins and the
commission's comments each marked, when ALPHA's direction and its chargé d'insertion download
every document they can (exports, bilan annuel, bilan, convention, états, indicators, and the
order and avenant the DEL issues to them), then none carries a mark; the DEL's own bilan
annuel still carries the motif."""

import io
from datetime import date
from unittest import mock

import openpyxl
import pytest
from django.urls import reverse

from bons_de_commande import services as commandes
from bons_de_commande.models import Avenant, BonDeCommande
from documents.moindre_connaissance import RESERVEES_A_LA_DEL
from procurement.models import Demandeur, Frein, Lot, PassageCommission, Prescription
from remunerations.models import EtatRemuneration
from reporting.models import BilanAnnuel, BilanFinParcours
from tests.isolation import connecte
from tests.prestataires.conftest import a
from tests.reporting.conftest import parcours_de, stage_termine
from tests.reporting.test_exports import valider

MARQUES = {
    "motif_prescription": "MOTIF-CONFIDENTIEL",
    "adresse": "ADRESSE-CONFIDENTIELLE",
    "commentaire_commission": "COMMENTAIRE-CONFIDENTIEL",
}
# Checked by their column's absence: a yes/no, a code of a closed list.
COLONNES = {"reconnaissance_crhd", "situation_logement", "motif_refus"}
# A person's sensitive freins: their codes never in the freins column of a prestataire's file
# (the indicators count people per frein and name no one: figures, not a person's data).


class HTMLRetenu:
    """WeasyPrint's HTML, keeping each PDF's source to be read (no layout)."""

    rendus: list[str] = []

    def __init__(self, string, base_url=None):
        self.rendus.append(string)

    def write_pdf(self):
        return b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def pdf_retenus():
    HTMLRetenu.rendus = []
    with mock.patch("documents.pdf.HTML", HTMLRetenu):
        yield HTMLRetenu.rendus


def marquer():
    Prescription.objects.update(motif=MARQUES["motif_prescription"])
    Demandeur.objects.update(adresse=MARQUES["adresse"])
    PassageCommission.objects.update(commentaire=MARQUES["commentaire_commission"])
    # Every sensitive frein on a person of ALPHA's summer session.
    Prescription.objects.get(demandeur__nom="WAIA").freins.add(*Frein.objects.filter(sensible=True))


def texte(reponse) -> str:
    if reponse["Content-Type"].startswith("application/vnd.openxml"):
        classeur = openpyxl.load_workbook(io.BytesIO(reponse.content))
        return " ".join(
            str(valeur)
            for feuille in classeur
            for rangee in feuille.iter_rows(values_only=True)
            for valeur in rangee
        )
    if reponse["Content-Type"].startswith("text/csv"):
        return reponse.content.decode("utf-8-sig")
    return ""  # a PDF: its source is kept by HTMLRetenu


def fuites(contenu: str) -> list[str]:
    return [rubrique for rubrique, marque in MARQUES.items() if marque in contenu] + [
        colonne for colonne in COLONNES if colonne in contenu
    ]


def test_la_regle_nomme_ce_que_le_test_marque():
    assert set(MARQUES) | COLONNES | {"freins_sensibles"} <= RESERVEES_A_LA_DEL


def freins_de_la_personne(reponse) -> set[str]:
    """The codes in the freins column of a prescriptions export (CSV)."""
    lignes = reponse.content.decode("utf-8-sig").splitlines()
    colonne = lignes[0].split(";").index("freins")
    return {code for ligne in lignes[1:] for code in ligne.split(";")[colonne].split("|") if code}


def test_aucun_document_d_un_prestataire_ne_porte_ce_que_la_regle_reserve_a_la_del(
    demo, pdf_retenus
):
    marquer()
    alpha1, alpha2 = demo["alpha1"], demo["alpha2"]
    sensibles = set(Frein.objects.filter(sensible=True).values_list("code", flat=True))
    # The order and the avenant the DEL issues to ALPHA, stored as issued.
    bon = valider(demo, "XOWIE", jour=date(2026, 11, 26), prestataire="ALPHA", lot=1, duree_mois=5)
    with a("2026-11-26", 10):
        commandes.emettre(bon, par=demo["gestionnaire1"])
        commandes.accuser(bon, par=alpha1)
        avenant = commandes.desister(bon.lignes.get(), par=alpha1, motif="Parti en métropole")
        commandes.emettre_avenant(avenant, par=demo["gestionnaire1"])
        assert (
            connecte(alpha1)
            .post(
                reverse("bilans_annuels:add"), {"lot": Lot.objects.get(numero=1).pk, "annee": 2026}
            )
            .status_code
            == 302
        )
    stage = stage_termine(parcours_de("WAIA"), alpha1, date(2026, 10, 5), date(2026, 10, 9))
    annuel = BilanAnnuel.objects.get()
    urls = [
        *(reverse("commandes:pdf", args=[b.pk]) for b in BonDeCommande.objects.filter(
            prestataire__code="ALPHA", document__isnull=False)),
        *(reverse("commandes:avenant_pdf", args=[av.pk]) for av in Avenant.objects.filter(
            bon__prestataire__code="ALPHA", document__isnull=False)),
        reverse("parcours:convention", args=[stage.pk]),
        *(reverse("bilans:pdf", args=[b.pk]) for b in BilanFinParcours.objects.filter(
            prestataire__code="ALPHA")),
        *(reverse("bilans_annuels:export", args=[annuel.pk, f]) for f in ("xlsx", "pdf")),
        *(reverse("remunerations:export", args=[e.pk, f]) for e in EtatRemuneration.objects.filter(
            prestataire__code="ALPHA") for f in ("xlsx", "pdf")),
        *(reverse("remunerations:export_annee", args=[2026, f]) for f in ("xlsx", "pdf")),
        *(reverse("indicateurs:export", args=[f]) + "?du=2026-01-01&au=2026-12-31"
          for f in ("xlsx", "pdf")),
    ]  # fmt: skip
    lus = []
    with a("2026-12-10", 10):
        for user in (alpha1, alpha2):
            client = connecte(user)
            for url in urls:
                reponse = client.get(url)
                assert reponse.status_code in (200, 403, 404), (url, user.username)
                if reponse.status_code == 200:
                    lus.append(url)
                    assert not fuites(texte(reponse)), (url, user.username)
            if user.has_perm("reporting.exporter_donnees"):
                for objet in ("demandeurs", "prescriptions", "parcours", "sorties"):
                    for format_ in ("csv", "xlsx"):
                        reponse = client.post(
                            reverse("exports:index"), {"objet": objet, "format": format_}
                        )
                        assert reponse.status_code == 200
                        lus.append(objet)
                        assert not fuites(texte(reponse)), (objet, user.username)
                        if (objet, format_) == ("prescriptions", "csv"):
                            codes = freins_de_la_personne(reponse)
                            assert codes and not codes & sensibles, user.username
    assert set(urls) <= set(lus)  # every document was read by one of them at least
    assert "demandeurs" in lus
    assert len(pdf_retenus) >= 8
    for source in pdf_retenus:
        assert not fuites(source)

    # The DEL's own file of the same bilan keeps the motif: the rule is what removes it.
    with a("2026-12-10", 10):
        reponse = connecte(demo["gestionnaire1"]).get(
            reverse("bilans_annuels:export", args=[annuel.pk, "xlsx"])
        )
    assert MARQUES["motif_prescription"] in texte(reponse)
