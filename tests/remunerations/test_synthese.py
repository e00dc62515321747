"""The year's stipends say what is due, declared, reconciled and still to open, apart (issue 18,
item 12: "dû 3 494 128 F, versé 431 980 F, Écart 0 F" read as if the prestataires had paid
an eighth of what they owe, when most of the due was simply not declared yet). Every figure
comes from the stored totals, in a constant number of queries."""

from datetime import date

import pytest
from django.urls import reverse

from procurement.models import Prestataire
from remunerations import calcul, services
from remunerations.enums import EtatDeclaration, SituationDuMois
from remunerations.models import EtatRemuneration

from .conftest import a, placer_stagiaire

pytestmark = pytest.mark.django_db

JOUR = "2026-11-24"
SEPTEMBRE, OCTOBRE = date(2026, 9, 1), date(2026, 10, 1)
SYNTHESE = reverse("remunerations:synthese") + "?annee=2026"


@pytest.fixture
def annee(demo):
    """ALPHA (the demo): August and September reconciled, October declared 1 000 F short and
    not submitted, November running; and a stagiaire it entered in June, before its
    reconciled months, never stated. BETA: a stagiaire since 7 September, October opened
    and not declared yet, September never opened."""
    with a(JOUR, heure=8):
        placer_stagiaire("ALPHA", date(2026, 6, 1), fin_prevue=date(2026, 7, 31),
                         sortie=date(2026, 7, 31))  # fmt: skip
        placer_stagiaire("BETA", date(2026, 9, 7))
        services.ouvrir_etat(Prestataire.objects.get(code="BETA"), OCTOBRE)
    return {
        (etat.prestataire.code, etat.mois.month): etat
        for etat in EtatRemuneration.objects.filter(mois__year=2026)
    }


def lire(client, user, django_assert_max_num_queries, requetes=12):
    client.force_login(user)
    with a(JOUR, heure=10), django_assert_max_num_queries(requetes):
        reponse = client.get(SYNTHESE)
    assert reponse.status_code == 200
    return reponse


def test_the_year_says_due_declared_reconciled_and_to_open_apart(
    demo, client, annee, django_assert_max_num_queries
):
    reponse = lire(client, demo["finance1"], django_assert_max_num_queries)

    etapes = {etape.etat: etape for etape in reponse.context["etapes"]}
    alpha_octobre, beta_octobre = annee["ALPHA", 10], annee["BETA", 10]
    rapproches = [annee["ALPHA", 8], annee["ALPHA", 9]]
    assert beta_octobre.montant_du > 0 and beta_octobre.montant_declare is None

    # Reconciled: as paid, no gap, nothing left to declare.
    accepte = etapes[EtatDeclaration.ACCEPTE]
    du_rapproche = sum(etat.montant_du for etat in rapproches)
    assert (accepte.etats, accepte.montant_du, accepte.montant_declare, accepte.ecart,
            accepte.reste_a_declarer) == (2, du_rapproche, du_rapproche, 0, 0)  # fmt: skip
    # In preparation: ALPHA's gap of its declared lines, BETA's whole due not declared yet,
    # which is no gap.
    brouillon = etapes[EtatDeclaration.BROUILLON]
    assert brouillon.etats == 2
    assert brouillon.montant_du == alpha_octobre.montant_du + beta_octobre.montant_du
    assert brouillon.montant_declare == alpha_octobre.montant_declare
    assert brouillon.ecart == -1000
    assert brouillon.reste_a_declarer == beta_octobre.montant_du
    assert (etapes[EtatDeclaration.SOUMIS].etats, etapes[EtatDeclaration.RENVOYE].etats) == (0, 0)
    total = reponse.context["total"]
    assert total.montant_du == sum(etat.montant_du for etat in annee.values())
    assert total.montant_du == (total.montant_declare - total.ecart + total.reste_a_declarer), (
        "the totals add up"
    )

    # The rows per prestataire, lot and month add up to the same totals.
    rangees = reponse.context["rangees"]
    assert sum(r.montant_du for r in rangees) == total.montant_du
    assert (
        sum(r.reste_a_declarer for r in rangees)
        == total.reste_a_declarer
        == (beta_octobre.montant_du)
    )

    # Months with stagiaires and no état: never counted as due, said apart.
    with a(JOUR):
        beta_septembre = calcul.releves([(Prestataire.objects.get(code="BETA"), SEPTEMBRE)])[0]
    assert beta_septembre.etat is None and beta_septembre.montant_du > 0
    assert [(m.prestataire, m.mois.month, m.stagiaires, m.situation)
            for m in reponse.context["sans_etat"]] == [
        ("ALPHA", 6, 1, SituationDuMois.CLOS),
        ("ALPHA", 7, 1, SituationDuMois.CLOS),
        ("ALPHA", 11, 3, SituationDuMois.EN_COURS),
        ("BETA", 9, 1, SituationDuMois.A_OUVRIR),
        ("BETA", 11, 1, SituationDuMois.EN_COURS),
    ]  # fmt: skip
    page = reponse.content.decode()
    assert "À ouvrir : 1 mois échu sans état (1 stagiaire)" in page
    assert "Dû pas encore déclaré" in page
    assert "Antérieur au dernier mois rapproché : ne s&#x27;ouvre plus" in page


def test_a_prestataire_reads_its_own_months_to_open_only(
    demo, client, annee, django_assert_max_num_queries
):
    reponse = lire(client, demo["beta1"], django_assert_max_num_queries)
    assert {m.prestataire for m in reponse.context["sans_etat"]} == {"BETA"}
    assert reponse.context["total"].montant_du == annee["BETA", 10].montant_du
    assert reponse.context["total"].etats == 1
