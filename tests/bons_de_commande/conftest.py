import io
from datetime import date

import pypdf
import pytest

from bons_de_commande import services as commandes
from procurement import services
from procurement.enums import Decision
from procurement.models import Frein, Lot, Prescription, Prestataire, SessionCommission
from tests.factories import DemandeurFactory


def texte_pdf(contenu) -> str:
    """The text of a generated PDF, read back from its bytes."""
    lecteur = pypdf.PdfReader(io.BytesIO(bytes(contenu)))
    return "\n".join(page.extract_text() for page in lecteur.pages)


def prescription(nom):
    return Prescription.objects.get(demandeur__nom=nom)


def ouvrir_une_seance(demo, lot: int, code: str, jour, **membres) -> SessionCommission:
    """A session of prestataire `code` on lot `lot` on `jour`, opened by gestionnaire1 with
    commission1 for the DEL (`membres_prestataire`: the prestataire's members, if any)."""
    return services.ouvrir_session(
        SessionCommission(
            date_seance=jour,
            lot=Lot.objects.get(numero=lot),
            prestataire=Prestataire.objects.get(code=code),
        ),
        par=demo["gestionnaire1"],
        membres_del=[demo["commission1"]],
        **membres,
    )


@pytest.fixture
def seance(demo):
    """A session of ALPHA (lot 1), open, with DUPONT and HMAE on its agenda."""
    session = ouvrir_une_seance(
        demo, 1, "ALPHA", date(2026, 11, 24), membres_prestataire=[demo["alpha1"]]
    )
    services.inscrire(
        session, [prescription("DUPONT"), prescription("HMAE")], par=demo["gestionnaire1"]
    )
    services.ouvrir_seance(session, par=demo["gestionnaire1"])
    return session


def valider(session, nom, par, duree):
    return services.decider(
        session.passages.get(prescription__demandeur__nom=nom),
        par=par,
        decision=Decision.VALIDEE,
        duree_mois=duree,
    )


@pytest.fixture
def bon_emis(demo, seance):
    """ALPHA's order for DUPONT (7 months) and HMAE (12 months), issued."""
    valider(seance, "DUPONT", demo["commission1"], 7)
    valider(seance, "HMAE", demo["commission1"], 12)
    bon = services.cloturer_seance(seance, par=demo["commission1"])
    return commandes.emettre(bon, par=demo["gestionnaire1"])


def remplacant_soumis(demo, nom) -> Prescription:
    """A prescription submitted to ALPHA on lot 1, that may replace a withdrawn person."""
    return services.prescrire(
        Prescription(
            demandeur=DemandeurFactory(nom=nom),
            lot=Lot.objects.get(numero=1),
            prestataire=Prestataire.objects.get(code="ALPHA"),
            conseiller=demo["conseiller1"],
            motif="Remplacement",
            resultat_attendu="Emploi",
            accord_personne=True,
            date_accord=date(2026, 11, 20),
        ),
        par=demo["conseiller1"],
        freins=Frein.objects.filter(code="mobilite"),
        transmettre=True,
    )
