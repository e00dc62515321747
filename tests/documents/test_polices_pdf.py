"""The PDFs embed DEL Sans, DejaVu Sans cut down to the Latin scripts (documents/polices/): the
full font cost most of an 80-line bon de commande's rendering (issue 17). A character outside
the cut still prints, from the system's DejaVu Sans."""

import io
from datetime import date
from types import SimpleNamespace

import pypdf
import pytest

from bons_de_commande.enums import EtatLigne
from bons_de_commande.models import BonDeCommande
from documents.pdf import rendre_pdf

POLICES_DEL = {"DEL-Sans", "DEL-Sans-Bold"}


def polices(contenu: bytes) -> set[str]:
    """The fonts a PDF embeds, without their subset prefix (ABCDEF+)."""
    trouvees = set()
    for page in pypdf.PdfReader(io.BytesIO(contenu)).pages:
        for police in page["/Resources"].get("/Font", {}).values():
            trouvees.add(str(police.get_object()["/BaseFont"]).split("+", 1)[-1])
    return trouvees


def bon_de_commande(noms: list[str]) -> bytes:
    """The bon de commande's template, with one line per name."""
    conseiller = SimpleNamespace(get_full_name="Jeanne Conseillère")
    bon = SimpleNamespace(
        numero="BC-2026-0099",
        emis_le=date(2026, 3, 2),
        emis_par=conseiller,
        prestataire=SimpleNamespace(raison_sociale="Alpha Insertion", code="ALPHA"),
        attribution=SimpleNamespace(reference_marche="M-2025-012"),
        lot="Lot 1",
        session=SimpleNamespace(date_seance=date(2026, 2, 20)),
    )
    lignes = [
        SimpleNamespace(
            prescription=SimpleNamespace(
                demandeur=SimpleNamespace(nom=nom, prenom="Léa", date_naissance=date(1990, 5, 1)),
                conseiller=conseiller,
            ),
            duree_mois=6,
        )
        for nom in noms
    ]
    return rendre_pdf("pdf/bon_de_commande.html", {"bon": bon, "lignes": lignes})


@pytest.mark.pdf
def test_le_bon_de_la_demo_n_embarque_que_del_sans(demo):
    """The demo's summer order as its issue renders it: body, headings and footer in DEL
    Sans, no DejaVu Serif for the page's margin box."""
    bon = BonDeCommande.objects.get(numero="BC-2026-0001")
    lignes = bon.lignes.pour_liste().filter(etat=EtatLigne.COMMANDEE)

    contenu = rendre_pdf("pdf/bon_de_commande.html", {"bon": bon, "lignes": lignes})

    assert polices(contenu) == POLICES_DEL
    assert (
        "Nombre de bénéficiaires : 3"
        in pypdf.PdfReader(io.BytesIO(contenu)).pages[0].extract_text()
    )


@pytest.mark.pdf
def test_un_caractere_hors_de_del_sans_s_imprime_quand_meme():
    """Accented Latin, Wallisian ʻokina and Vietnamese letters are in DEL Sans; a Greek letter is
    not and comes from DejaVu Sans, printed all the same."""
    latin = bon_de_commande(["WAKAʻ", "NGUYỄN", "ÇÖÊ"])
    assert polices(latin) == POLICES_DEL

    grec = bon_de_commande(["ΩMEGA"])
    assert polices(grec) == POLICES_DEL | {"DejaVu-Sans"}
    assert "ΩMEGA" in pypdf.PdfReader(io.BytesIO(grec)).pages[0].extract_text()
