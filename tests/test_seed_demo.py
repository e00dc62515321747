"""docs/contrats.md §1: the demo data, and running seed_demo twice gives the same data."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from procurement.enums import EtatPrescription
from procurement.models import AttributionLot, Prescription

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row of every model of the project and of viewflow, as values."""
    labels = ("accounts", "procurement", "workflows", "viewflow", "auth")
    data = {}
    for model in apps.get_models():
        if model._meta.app_label in labels and not model._meta.proxy:
            fields = [
                f.attname for f in model._meta.concrete_fields if f.attname not in ("last_login",)
            ]
            data[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return data


def test_seed_demo_twice_gives_the_same_data():
    call_command("seed_demo", stdout=StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=StringIO())
    assert snapshot() == first


def test_demo_holds_the_contracts_prestataires_users_and_every_prescription_state(demo):
    assert {
        (a.prestataire.code, a.lot.numero, str(a.date_debut), a.date_fin)
        for a in AttributionLot.objects.select_related("prestataire", "lot")
    } == {
        ("ALPHA", 1, "2020-01-01", None),
        ("BETA", 1, "2020-01-01", None),
        ("GAMMA", 2, "2020-01-01", None),
    }
    assert {
        "admin", "conseiller1", "conseiller2", "ts1", "commission1", "gestionnaire1", "finance1",
        "alpha1", "beta1", "gamma1",
    } <= set(User.objects.values_list("username", flat=True))  # fmt: skip
    assert {
        u.username: u.prestataire.code for u in User.objects.filter(prestataire__isnull=False)
    } == {"alpha1": "ALPHA", "alpha2": "ALPHA", "beta1": "BETA", "gamma1": "GAMMA"}
    assert set(Prescription.objects.values_list("etat", flat=True)) == set(EtatPrescription.values)
    assert Prescription.objects.filter(travailleur_social__isnull=False).count() >= 2
