"""The substitute of a withdrawn person, on the order's page (issue 17): only the prescriptions
that may really replace them are offered (submitted, same prestataire, same lot, not proposed
elsewhere); a list when they are few, a search field checked by the server when they are many,
and the page's queries do not grow with them."""

from itertools import count

import pytest

from bons_de_commande import services as commandes
from bons_de_commande.forms import REMPLACANTS_EN_LISTE
from bons_de_commande.models import BonDeCommande
from procurement.enums import EtatPrescription
from procurement.models import Lot, Prescription, Prestataire
from tests.factories import prescriptions_en_masse
from tests.prestataires.test_listes import afficher, ecarts, mesurer

_rangs = count()


@pytest.fixture
def desistement(demo):
    """KAOUMA withdrew from ALPHA's November order (acknowledged): her line waits for a
    substitute."""
    bon = BonDeCommande.objects.get(numero="BC-2026-0002")
    ligne = bon.lignes.get(prescription__demandeur__nom="KAOUMA")
    commandes.desister(ligne, par=demo["alpha1"], motif="Déménage en province Nord.")
    ligne.refresh_from_db()
    return ligne


def soumises(nombre, *, lot=1, code="ALPHA", nom="CANDIDAT"):
    return prescriptions_en_masse(
        [next(_rangs) for _ in range(nombre)],
        prestataire=Prestataire.objects.get(code=code),
        lot=Lot.objects.get(numero=lot),
        conseiller=Prescription.objects.first().conseiller,
        etat=EtatPrescription.SOUMISE,
        nom=nom,
    )


def proposer(client, ligne, texte):
    return client.post(
        ligne.bon.get_absolute_url(),
        {"action": "remplacant", "ligne": ligne.pk, f"remplacant-{ligne.pk}-prescription": texte},
    )


def champ(page: str, ligne) -> str:
    """The substitute's field of the line, as rendered."""
    nom = f'name="remplacant-{ligne.pk}-prescription"'
    debut = page.rindex("<", 0, page.index(nom))
    fin = (
        page.index("</select>", debut)
        if page[debut:].startswith("<select")
        else page.index(">", debut)
    )
    return page[debut:fin]


def test_peu_de_candidats_une_liste_du_meme_lot(client, demo, desistement):
    """A few candidates: a list of those of the order's lot and prestataire only (not the
    other lot's, not another prestataire's)."""
    memes = soumises(3)
    autre_lot = soumises(2, lot=2, nom="AUTRELOT")
    autre_prestataire = soumises(2, code="BETA", nom="CHEZBETA")
    client.force_login(demo["gestionnaire1"])
    liste = champ(client.get(desistement.bon.get_absolute_url()).content.decode(), desistement)
    assert liste.startswith("<select")
    # With the demo's DUPONT and HMAE, submitted to ALPHA on lot 1.
    assert liste.count("<option") == 1 + len(memes) + 2
    for prescription in memes:
        assert f'value="{prescription.pk}"' in liste
    for prescription in autre_lot + autre_prestataire:
        assert f'value="{prescription.pk}"' not in liste

    reponse = proposer(client, desistement, str(autre_lot[0].pk))
    assert reponse.status_code == 400
    assert f"La prescription n° {autre_lot[0].pk} est sur le lot 2" in reponse.content.decode()
    proposer(client, desistement, str(memes[1].pk))
    memes[1].refresh_from_db()
    assert memes[1].remplace_id == desistement.pk


def test_beaucoup_de_candidats_une_recherche_verifiee(client, demo, desistement):
    """Beyond a list's worth of candidates, a search field: no option per prescription; a
    reference of another lot, an unknown one, an ambiguous or unmatched name are refused with
    a French message; the reference or the single name found is proposed."""
    soumises(REMPLACANTS_EN_LISTE + 5)
    (autre_lot,) = soumises(1, lot=2, nom="AUTRELOT")
    (unique,) = soumises(1, nom="WAHETRA")
    client.force_login(demo["gestionnaire1"])
    page = client.get(desistement.bon.get_absolute_url()).content.decode()
    recherche = champ(page, desistement)
    assert recherche.startswith("<input") and 'type="text"' in recherche
    assert "<option" not in page.split("Proposer un remplaçant", 1)[1].split("</form>", 1)[0]
    assert "Référence ou nom du remplaçant" in page

    def refus(texte) -> str:
        reponse = proposer(client, desistement, texte)
        assert reponse.status_code == 400, texte
        return reponse.content.decode()

    assert (
        f"La prescription n° {autre_lot.pk} est sur le lot 2 : le remplaçant doit être "
        "prescrit sur le lot 1" in refus(f"PR-{autre_lot.pk:06d}")
    )
    assert "Aucune prescription ne porte le n° 99999999." in refus("99999999")
    assert "Plusieurs prescriptions correspondent à « candidat »" in refus("candidat")
    assert "Aucune prescription soumise chez " in refus("DUPONTEL")
    assert "sur le lot 1 ne correspond à « DUPONTEL »." in refus("DUPONTEL")
    desistement.refresh_from_db()
    assert not desistement.remplacants.exists()

    proposer(client, desistement, "wahetra")
    unique.refresh_from_db()
    assert unique.remplace_id == desistement.pk


def test_reference_saisie(client, demo, desistement):
    """The reference, typed as printed (PR-000123) or as its number, names the prescription."""
    memes = soumises(REMPLACANTS_EN_LISTE + 1)
    client.force_login(demo["gestionnaire1"])
    reponse = proposer(client, desistement, f"  pr-{memes[7].pk:06d} ")
    assert reponse.status_code == 302
    memes[7].refresh_from_db()
    assert memes[7].remplace_id == desistement.pk


def test_page_du_bon_requetes_constantes(client, demo, desistement):
    """The order's page takes the same queries with 5 or 10 candidates (a list), and with 40
    or 80 (a search field), and stays small."""
    url = desistement.bon.get_absolute_url()
    lecteurs = ("gestionnaire1", "alpha1")
    soumises(5)
    avant = mesurer(client, demo, [url], lecteurs=lecteurs)
    soumises(5)
    apres = mesurer(client, demo, [url], lecteurs=lecteurs)
    afficher(avant, apres)
    assert ecarts(avant, apres) == {}
    soumises(30)
    avant = mesurer(client, demo, [url], lecteurs=lecteurs)
    soumises(40)
    apres = mesurer(client, demo, [url], lecteurs=lecteurs)
    afficher(avant, apres)
    assert ecarts(avant, apres) == {}
    assert len(apres["gestionnaire1", url].reponse.content) < 100_000
