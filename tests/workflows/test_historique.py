"""Issue 18, item 4: a record's history names each step in French ("Ouverture de la séance"),
never by its transition method ("Ouvrir_seance", "Emettre", "Accuser_reception")."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_fsm import FSMFieldMixin

from procurement.models import SessionCommission
from workflows.history import LIBELLES
from workflows.models import Transition


def test_chaque_transition_de_chaque_modele_a_son_libelle_francais():
    noms = {
        transition.name
        for modele in apps.get_models()
        for champ in modele._meta.fields
        if isinstance(champ, FSMFieldMixin)
        for transition in champ.get_all_transitions(modele)
    }
    assert noms and noms <= set(LIBELLES), sorted(noms - set(LIBELLES))
    assert all("_" not in libelle for libelle in LIBELLES.values())


def test_l_historique_d_une_seance_parle_francais(client, demo):
    session = SessionCommission.objects.filter(
        pk__in=Transition.objects.filter(
            content_type=ContentType.objects.get_for_model(SessionCommission), nom="ouvrir_seance"
        ).values("object_id")
    ).first()
    client.force_login(demo["gestionnaire1"])
    page = client.get(reverse("seances:detail", args=[session.pk])).content.decode()
    assert "Ouverture de la séance : " in page and "Clôture : " in page
    assert "Ouvrir_seance" not in page and "Cloturer" not in page
