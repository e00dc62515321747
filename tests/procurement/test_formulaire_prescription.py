"""The conseiller's prescription form (issue 18, item 8): it offers the prestataires of the
chosen lot only, and starts from what the person's record already says (tell it once)."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from procurement.enums import EtatPrescription
from procurement.models import Frein, Lot, Prescription
from tests.factories import DemandeurFactory, PrestataireFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conseiller(client):
    conseiller = UserFactory(role=Role.CONSEILLER)
    client.force_login(conseiller)
    return conseiller


def page_de_prescription(client, demandeur):
    return client.get(f"{reverse('prescription:prescrire:execute')}?demandeur={demandeur.pk}")


def options_des_prestataires(page: str) -> dict[str, str]:
    """The prestataire select's options: code -> the lots (ids) it names."""
    select = re.search(r'<select name="prestataire".*?</select>', page, re.DOTALL).group(0)
    assert 'data-selon-lot="id_lot"' in select
    return {
        code: lots
        for lots, code in re.findall(
            r'<option value="\d+" data-lots="([\d ]*)"[^>]*>[^<]*\((\w+)\)', select
        )
    }


def test_the_prestataire_select_names_the_lots_each_holds_and_the_server_refuses_others(
    client, conseiller
):
    lot1, lot2 = Lot.objects.get(numero=1), Lot.objects.get(numero=2)
    alpha = PrestataireFactory(code="ALPHA", lot=1)
    PrestataireFactory(code="GAMMA", lot=2)
    demandeur = DemandeurFactory()

    page = page_de_prescription(client, demandeur).content.decode()
    assert options_des_prestataires(page) == {"ALPHA": str(lot1.pk), "GAMMA": str(lot2.pk)}
    assert "prescription.js" in page  # which offers only those of the chosen lot

    demandeur.reconnaissance_crhd = True
    demandeur.save()
    reponse = client.post(
        f"{reverse('prescription:prescrire:execute')}?demandeur={demandeur.pk}",
        {"action": "brouillon", "lot": lot2.pk, "prestataire": alpha.pk, "motif": "m",
         "resultat_attendu": "r"},
    )  # fmt: skip
    assert reponse.status_code == 200
    assert reponse.context["form"].errors["prestataire"] == [
        f"{alpha.raison_sociale} ne tient pas le lot 2 au "
        f"{reponse.context['form'].instance.date_prescription:%d/%m/%Y} : choisissez un "
        "prestataire titulaire de ce lot."
    ]
    assert not Prescription.objects.exists()


def test_housing_difficulties_and_known_freins_come_from_the_persons_record(client, conseiller):
    alpha = PrestataireFactory(code="ALPHA", lot=1)
    demandeur = DemandeurFactory(situation_logement="sans_domicile")
    ancienne = Prescription.objects.create(
        demandeur=demandeur, lot=Lot.objects.get(numero=1), prestataire=alpha,
        conseiller=conseiller, motif="m", resultat_attendu="r", etat=EtatPrescription.RETIREE,
    )  # fmt: skip
    ancienne.freins.set(Frein.objects.filter(code__in=["mobilite", "numerique"]))

    form = page_de_prescription(client, demandeur).context["form"]
    assert form["difficultes_logement"].value() is True
    assert sorted(Frein.objects.get(pk=pk).code for pk in form["freins"].value()) == [
        "logement",
        "mobilite",
        "numerique",
    ]


def test_a_person_housed_on_their_own_starts_without_housing_difficulties(client, conseiller):
    PrestataireFactory(code="ALPHA", lot=1)
    form = page_de_prescription(client, DemandeurFactory()).context["form"]
    assert form["difficultes_logement"].value() is False
    assert form["freins"].value() == []
