"""Registering a demandeur d'emploi: identity checks, duplicates, communes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.roles import Role
from procurement.forms import DemandeurForm
from procurement.models import Commune, Demandeur, NiveauFormation
from tests.factories import DemandeurFactory, UserFactory

NOUMEA = ZoneInfo("Pacific/Noumea")
pytestmark = pytest.mark.django_db


def donnees(**changes):
    data = {
        "nom": "Dupont",
        "prenom": "Marie",
        "date_naissance": "1990-04-12",
        "genre": "F",
        "niveau_formation": NiveauFormation.objects.get(code="bac").pk,
        "commune": "Nouméa",
        "situation_logement": "autonome",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("saisie", ["Nouméa", "NOUMEA", "noumea", " nouméa "])
def test_commune_accepts_code_or_name_case_and_accents_ignored(saisie):
    assert Commune.objects.resolve(saisie).code == "noumea"


def test_commune_ile_des_pins_from_its_name_or_code():
    assert Commune.objects.resolve("Île des Pins").code == "ile_des_pins"
    assert Commune.objects.resolve("ile_des_pins").code == "ile_des_pins"


def test_unknown_commune_is_refused_at_its_field():
    form = DemandeurForm(data=donnees(commune="Paris"))
    assert not form.is_valid()
    assert form.errors["commune"] == [
        "Commune inconnue : « Paris ». Indiquez une commune de la province Sud "
        "(par exemple Nouméa, Dumbéa, Païta)."
    ]


@time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=NOUMEA), tick=False)
def test_date_of_birth_in_the_future_is_refused():
    form = DemandeurForm(data=donnees(date_naissance="2026-11-25"))
    assert not form.is_valid()
    assert form.errors["date_naissance"] == ["La date de naissance est dans le futur."]


# 1 March 2026 at 00:30 in Nouméa is still 28 February (13:30) in UTC: the age is Nouméa's.
@time_machine.travel(datetime(2026, 3, 1, 0, 30, tzinfo=NOUMEA), tick=False)
def test_sixteenth_birthday_counts_from_midnight_in_noumea():
    assert DemandeurForm(data=donnees(date_naissance="2010-03-01")).is_valid()
    form = DemandeurForm(data=donnees(date_naissance="2010-03-02"))
    assert not form.is_valid()
    assert form.errors["date_naissance"] == [
        "Le demandeur doit avoir au moins 16 ans (né(e) le 02/03/2010)."
    ]


@pytest.mark.parametrize(
    ("jour", "valide"),
    [
        (datetime(2024, 2, 28, 12, tzinfo=NOUMEA), False),
        (datetime(2024, 2, 29, 0, 5, tzinfo=NOUMEA), True),
    ],
)
def test_person_born_on_a_leap_day_is_16_on_the_leap_day(jour, valide):
    with time_machine.travel(jour, tick=False):
        assert DemandeurForm(data=donnees(date_naissance="2008-02-29")).is_valid() is valide


def test_same_name_and_date_of_birth_is_a_duplicate_whatever_the_accents_and_case():
    existant = DemandeurFactory(nom="Hmaé", prenom="Josiane", date_naissance=date(1995, 7, 14))
    form = DemandeurForm(data=donnees(nom="HMAE", prenom="josiane", date_naissance="1995-07-14"))
    assert not form.is_valid()
    assert "Ce demandeur est déjà enregistré" in form.errors["nom"][0]
    assert existant.get_absolute_url() in form.errors["nom"][0]


def test_same_name_with_another_date_of_birth_is_another_person():
    DemandeurFactory(nom="Dupont", prenom="Marie", date_naissance=date(1990, 4, 12))
    assert DemandeurForm(data=donnees(date_naissance="1991-04-12")).is_valid()


def test_the_database_refuses_a_duplicate_even_when_the_form_is_bypassed():
    DemandeurFactory(nom="Dupont", prenom="Marie", date_naissance=date(1990, 4, 12))
    with pytest.raises(IntegrityError), transaction.atomic():
        DemandeurFactory(nom="DUPONT", prenom="marie", date_naissance=date(1990, 4, 12))


def test_conseiller_registers_a_demandeur_and_lands_on_the_file(client):
    conseiller = UserFactory(role=Role.CONSEILLER)
    client.force_login(conseiller)
    response = client.post(reverse("demandeurs:add"), donnees(commune="DUMBEA"))
    demandeur = Demandeur.objects.get()
    assert response.status_code == 302 and response.url == demandeur.get_absolute_url()
    assert (demandeur.commune.code, demandeur.cree_par) == ("dumbea", conseiller)


def test_a_duplicate_typed_in_the_page_changes_nothing_and_says_why(client):
    DemandeurFactory(nom="Dupont", prenom="Marie", date_naissance=date(1990, 4, 12))
    client.force_login(UserFactory(role=Role.CONSEILLER))
    response = client.post(reverse("demandeurs:add"), donnees())
    assert response.status_code == 200
    assert "Ce demandeur est déjà enregistré" in response.content.decode()
    assert Demandeur.objects.count() == 1


def test_demandeur_list_searches_without_accents_in_constant_queries(
    client, django_assert_max_num_queries
):
    for i in range(30):
        DemandeurFactory(nom=f"Wamytan{i}")
    DemandeurFactory(nom="Hmaé")
    client.force_login(UserFactory(role=Role.CONSEILLER))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("demandeurs:index"))
    assert response.status_code == 200 and len(response.context["object_list"]) == 25
    response = client.get(reverse("demandeurs:index"), {"q": "hmae"})
    assert [str(d) for d in response.context["object_list"]] == ["HMAÉ Marie"]
