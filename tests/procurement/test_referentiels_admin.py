"""Data that must not go (issue 16): a référentiel entry that records cite is never deleted
from the admin, whether records point to it or hold it among many (a prescription's freins);
it is retired from a date instead: the forms stop offering it, the records that cite it keep
it. On the demo data, logged in as the administrateur."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from bons_de_commande.models import BonDeCommande
from prestataires.forms import SortieForm
from prestataires.models import Parcours
from procurement.forms import DecisionForm, DemandeurForm, PrescriptionForm
from procurement.models import (
    Commune,
    Frein,
    PassageCommission,
    Prescription,
    TypeSortie,
    today,
)

pytestmark = pytest.mark.django_db

REFUS = "Cette entrée est citée par des dossiers : elle ne peut pas être supprimée."


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo["admin"])
    return client


def _erreurs(reponse) -> list[str]:
    return [m.message for m in get_messages(reponse.wsgi_request) if m.level_tag == "error"]


def test_un_frein_que_tient_une_prescription_ne_se_supprime_pas(admin_client):
    """A frein held only in prescriptions' freins (a many-to-many, which Django's deletion
    would empty silently) is protected on the delete page and in the bulk action."""
    frein = Frein.objects.create(code="permis", libelle="Permis de conduire")
    prescription = Prescription.objects.order_by("pk").first()
    prescription.freins.add(frein)
    page = admin_client.get(reverse("admin:procurement_frein_delete", args=[frein.pk]))
    assert page.status_code == 200
    assert f"Prescription : {prescription}" in page.content.decode()
    assert 'name="post"' not in page.content.decode()  # no confirmation button
    assert _erreurs(page)[0].startswith(REFUS)
    assert "renseignez sa date de retrait" in _erreurs(page)[0]

    url = reverse("admin:procurement_frein_delete", args=[frein.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 200
    admin_client.post(
        reverse("admin:procurement_frein_changelist"),
        {"action": "delete_selected", "_selected_action": [frein.pk], "post": "yes"},
    )
    assert list(prescription.freins.filter(pk=frein.pk)) == [frein]

    # Cited by nobody, it is deleted.
    prescription.freins.remove(frein)
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Frein.objects.filter(pk=frein.pk).exists()


def _une_sortie_citee():
    """The demo's parcours still run: one of them is given an exit situation."""
    sortie = TypeSortie.objects.order_by("pk").first()
    Parcours.objects.filter(pk=Parcours.objects.order_by("pk").first().pk).update(
        type_sortie=sortie
    )
    return sortie


@pytest.mark.parametrize("modele", ["prestataire", "lot", "commune", "typesortie"])
def test_un_prestataire_un_lot_une_commune_ou_une_sortie_cites_ne_se_suppriment_pas(
    admin_client, modele
):
    """Records point to them with PROTECT: the delete page lists them, offers no confirmation
    and says in French what to do instead."""
    entree = {
        "prestataire": lambda: BonDeCommande.objects.order_by("pk").first().prestataire,
        "lot": lambda: BonDeCommande.objects.order_by("pk").first().lot,
        "commune": lambda: Prescription.objects.order_by("pk").first().demandeur.commune,
        "typesortie": _une_sortie_citee,
    }[modele]()
    url = reverse(f"admin:procurement_{modele}_delete", args=[entree.pk])
    page = admin_client.post(url, {"post": "yes"})
    assert page.status_code == 200
    assert 'name="post"' not in page.content.decode()
    assert _erreurs(page)[0].startswith(REFUS)
    assert type(entree).objects.filter(pk=entree.pk).exists()


def test_un_frein_retire_n_est_plus_propose_mais_reste_aux_dossiers_qui_le_citent(demo):
    prescription = Prescription.objects.filter(freins__isnull=False).order_by("pk").first()
    frein = prescription.freins.order_by("pk").first()
    frein.retire_le = today()
    frein.save()
    proposes = PrescriptionForm(demandeur=prescription.demandeur).fields["freins"].queryset
    assert frein not in proposes and proposes.exists()
    # The prescription that holds it keeps it when edited.
    form = PrescriptionForm(instance=prescription, demandeur=prescription.demandeur)
    assert frein in form.fields["freins"].queryset
    passage = PassageCommission.objects.order_by("pk").first()
    assert frein not in DecisionForm(passage=passage).fields["motif_refus"].queryset
    # Retired tomorrow: still offered today.
    frein.retire_le = today() + timedelta(days=1)
    frein.save()
    assert frein in DecisionForm(passage=passage).fields["motif_refus"].queryset


def test_une_situation_de_sortie_retiree_n_est_plus_proposee(demo):
    sortie = TypeSortie.objects.order_by("pk").first()
    TypeSortie.objects.filter(pk=sortie.pk).update(retire_le=today())
    assert sortie not in SortieForm().fields["type_sortie"].queryset
    assert SortieForm().fields["type_sortie"].queryset.exists()


def test_une_commune_retiree_ne_se_saisit_plus_mais_reste_a_qui_y_habite(demo, client):
    demandeur = Prescription.objects.order_by("pk").first().demandeur
    commune = demandeur.commune
    Commune.objects.filter(pk=commune.pk).update(retire_le=today())
    donnees = {
        "nom": "NOUVEAU", "prenom": "Jean", "date_naissance": "01/01/1990", "genre": "M",
        "niveau_formation": demandeur.niveau_formation_id, "commune": commune.libelle,
        "situation_logement": demandeur.situation_logement,
    }  # fmt: skip
    form = DemandeurForm(donnees)
    assert not form.is_valid()
    assert form.errors["commune"] == [
        f"La commune « {commune} » est retirée du référentiel : indiquez-en une autre."
    ]
    form = DemandeurForm(
        donnees | {"nom": demandeur.nom, "prenom": demandeur.prenom,
                   "date_naissance": demandeur.date_naissance.strftime("%d/%m/%Y")},
        instance=demandeur,
    )  # fmt: skip
    assert "commune" not in form.errors
    client.force_login(demo["conseiller1"])
    page = client.get(reverse("demandeurs:add"))
    assert commune not in page.context["communes"]
