"""The demo data is built once per module and each test starts from it as the seed left it:
what one test writes, the next does not see (tests/conftest.py)."""

from procurement.models import Demandeur
from tests.factories import DemandeurFactory


def ecrire_sur_la_demo(demo):
    alpha = demo["alpha1"]
    alpha.first_name = "Modifiée"
    alpha.save(update_fields=["first_name"])
    Demandeur.objects.filter(nom="DUPONT").update(prenom="Modifié")
    DemandeurFactory(nom="TEMOIN")


def test_un_test_ecrit_sur_la_demo(demo):
    ecrire_sur_la_demo(demo)
    assert Demandeur.objects.filter(nom="TEMOIN").exists()


def test_le_suivant_la_retrouve_telle_que_semee(demo):
    assert demo["alpha1"].first_name == "Alice"
    assert Demandeur.objects.get(nom="DUPONT").prenom == "Marie"
    assert not Demandeur.objects.filter(nom="TEMOIN").exists()
    # And it may write again: the savepoint of each test is its own.
    ecrire_sur_la_demo(demo)
