"""Accountability (issue 16, finding 6): every download that carries personal data (orders,
avenants, agenda, minutes, convention, états, bilans, bilan annuel, exports) writes exactly
one line in the journal of nominative downloads, with who and which document, on the same
journal page; a refused download (403, 404) writes none, and neither do the indicators, which
name no one."""

from datetime import date

import pytest
from django.urls import reverse

from bons_de_commande.models import Avenant, BonDeCommande
from documents.enums import DocumentNominatif
from procurement.models import Lot, SessionCommission
from remunerations.models import EtatRemuneration
from reporting.enums import ObjetExport
from reporting.models import BilanAnnuel, BilanFinParcours, JournalExport
from tests.isolation import connecte
from tests.prestataires.conftest import a
from tests.reporting.conftest import parcours_de, stage_termine

UTILISATEURS = ("alpha1", "alpha2", "beta1", "gestionnaire1", "finance1", "conseiller1")


@pytest.fixture
def documents(demo):
    """Each nominative document of ALPHA the demo holds, with a stage (for its convention) and
    ALPHA's bilan annuel of 2026: (kind, method, url, data)."""
    with a("2026-11-24"):
        assert (
            connecte(demo["alpha1"])
            .post(
                reverse("bilans_annuels:add"), {"lot": Lot.objects.get(numero=1).pk, "annee": 2026}
            )
            .status_code
            == 302
        )
    stage = stage_termine(parcours_de("WAIA"), demo["alpha1"], date(2026, 10, 5), date(2026, 10, 9))
    bon = BonDeCommande.objects.filter(prestataire__code="ALPHA", document__isnull=False).first()
    avenant = Avenant.objects.filter(document__isnull=False).first()
    session = SessionCommission.objects.filter(proces_verbal__isnull=False).first()
    etat = EtatRemuneration.objects.filter(prestataire__code="ALPHA").first()
    bilan = BilanFinParcours.objects.filter(prestataire__code="ALPHA").first()
    annuel = BilanAnnuel.objects.get()
    get = [
        (DocumentNominatif.BON_DE_COMMANDE, reverse("commandes:pdf", args=[bon.pk])),
        (DocumentNominatif.AVENANT, reverse("commandes:avenant_pdf", args=[avenant.pk])),
        (DocumentNominatif.ORDRE_DU_JOUR, reverse("seances:ordre_du_jour", args=[session.pk])),
        (DocumentNominatif.PROCES_VERBAL, reverse("seances:proces_verbal", args=[session.pk])),
        (DocumentNominatif.CONVENTION_STAGE, reverse("parcours:convention", args=[stage.pk])),
        (DocumentNominatif.BILAN, reverse("bilans:pdf", args=[bilan.pk])),
        *(
            (DocumentNominatif.ETAT_REMUNERATION, url)
            for format_ in ("xlsx", "pdf")
            for url in (
                reverse("remunerations:export", args=[etat.pk, format_]),
                reverse("remunerations:export_mois", args=["2026-10", format_]),
                reverse("remunerations:export_annee", args=[2026, format_]),
            )
        ),
        *(
            (DocumentNominatif.BILAN_ANNUEL, reverse("bilans_annuels:export", args=[annuel.pk, f]))
            for f in ("xlsx", "pdf")
        ),
    ]
    return [(objet, "get", url, None) for objet, url in get] + [
        (objet, "post", reverse("exports:index"), {"objet": objet, "format": format_})
        for objet in ObjetExport.values
        for format_ in ("csv", "xlsx")
    ]


def test_chaque_telechargement_nominatif_ecrit_une_ligne_et_un_refus_aucune(demo, documents):
    with a("2026-11-24", 10):
        for objet, methode, url, donnees in documents:
            servis, refuses = [], []
            for username in UTILISATEURS:
                user = demo[username]
                avant = set(JournalExport.objects.values_list("pk", flat=True))
                reponse = getattr(connecte(user), methode)(url, donnees)
                lignes = JournalExport.objects.exclude(pk__in=avant)
                if reponse.status_code != 200:
                    assert reponse.status_code in (302, 403, 404), (url, username)
                    assert not lignes.exists(), (url, username)
                    refuses.append(username)
                    continue
                servis.append(username)
                ligne = lignes.get()  # exactly one
                assert (ligne.utilisateur, ligne.objet) == (user, objet), url
                assert reponse["Content-Disposition"].endswith(f'filename="{ligne.document}"')
                assert ligne.format == ligne.document.rpartition(".")[2]
            assert servis and refuses, (url, servis, refuses)


def test_les_indicateurs_ne_nomment_personne_et_ne_sont_pas_journalises(demo):
    with a("2026-11-24", 10):
        for format_ in ("xlsx", "pdf"):
            url = reverse("indicateurs:export", args=[format_])
            reponse = connecte(demo["gestionnaire1"]).get(
                url, {"du": "2026-01-01", "au": "2026-12-31"}
            )
            assert reponse.status_code == 200
    assert not JournalExport.objects.exists()


def test_la_page_du_journal_montre_les_documents(demo, documents):
    objet, _, url, _ = documents[0]
    with a("2026-11-24", 10):
        reponse = connecte(demo["alpha1"]).get(url)
        assert reponse.status_code == 200
        page = connecte(demo["gestionnaire1"]).get(reverse("journal_exports:index"))
    ligne = JournalExport.objects.get()
    contenu = page.content.decode()
    assert page.status_code == 200
    assert ligne.document in contenu and "Bon de commande" in contenu
