"""A substitute on its way (issue 18, item 13): while the substitute of a withdrawn person is
proposed, in commission or on an avenant not acknowledged, the order is not closed (the page
does not offer it, the service refuses it in French); once a substitute holds the place, no
other is proposed for it ("Proposer un remplaçant" is gone), and it comes back only if the
commission refuses them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bons_de_commande import services as commandes
from bons_de_commande.enums import EtatBonDeCommande
from procurement import services
from procurement.enums import Decision
from procurement.models import Frein
from tests.offertes import boutons

from .conftest import ouvrir_une_seance, remplacant_soumis, valider

pytestmark = pytest.mark.django_db

PROPOSER = "<summary>Proposer un remplaçant</summary>"


@pytest.fixture
def bon_sans_personne(demo, bon_emis):
    """ALPHA's order, acknowledged, whose two people withdrew and left it by avenant: nobody is
    left to follow, the DEL may close it."""
    gestionnaire, alpha = demo["gestionnaire1"], demo["alpha1"]
    commandes.accuser(bon_emis, par=alpha)
    for ligne in bon_emis.lignes.all():
        retrait = commandes.desister(ligne, par=alpha, motif="Déménage en province Nord.")
        commandes.emettre_avenant(retrait, par=gestionnaire)
        commandes.accuser_avenant(retrait, par=alpha)
    return bon_emis


def en_commission(demo, prescription, decision=Decision.VALIDEE):
    gestionnaire = demo["gestionnaire1"]
    seance = ouvrir_une_seance(demo, 1, "ALPHA", date(2026, 11, 25))
    services.inscrire(seance, [prescription], par=gestionnaire)
    services.ouvrir_seance(seance, par=gestionnaire)
    if decision == Decision.VALIDEE:
        valider(seance, prescription.demandeur.nom, demo["commission1"], 5)
    else:
        services.decider(
            seance.passages.get(),
            par=demo["commission1"],
            decision=decision,
            motif_refus=Frein.objects.get(code="mobilite"),
        )
    services.cloturer_seance(seance, par=demo["commission1"])


def page(demo, bon) -> str:
    client = Client()
    client.force_login(demo["gestionnaire1"])
    return client.get(bon.get_absolute_url()).content.decode()


def cloture_offerte(demo, bon) -> bool:
    return "cloturer" in boutons(demo, "gestionnaire1", bon)


def cloture_refusee(demo, bon) -> str:
    with pytest.raises(ValidationError) as refus:
        commandes.cloturer(bon, par=demo["gestionnaire1"])
    bon.refresh_from_db()
    assert bon.etat == EtatBonDeCommande.ACCUSE
    return refus.value.messages[0]


def test_pas_de_cloture_tant_qu_un_remplacant_est_attendu(demo, bon_sans_personne):
    bon, gestionnaire, alpha = bon_sans_personne, demo["gestionnaire1"], demo["alpha1"]
    assert cloture_offerte(demo, bon)
    hmae = bon.lignes.get(prescription__demandeur__nom="HMAE")
    wahetra = remplacant_soumis(demo, "WAHETRA")
    commandes.proposer_remplacant(hmae, wahetra, par=gestionnaire)

    # Proposed, not yet before the commission: the order waits for them.
    assert not cloture_offerte(demo, bon)
    assert cloture_refusee(demo, bon) == (
        "Un remplaçant est attendu : WAHETRA Marie n'a pas encore commencé son parcours. Le "
        "bon de commande sera clôturé à la fin de son parcours (ou après son refus par la "
        "commission)."
    )

    # Validated, on an avenant issued but not acknowledged: no parcours yet, still awaited.
    en_commission(demo, wahetra)
    ajout = bon.avenants.get(rang__isnull=True)
    commandes.emettre_avenant(ajout, par=gestionnaire)
    assert not cloture_offerte(demo, bon)
    assert "WAHETRA Marie n'a pas encore commencé son parcours" in cloture_refusee(demo, bon)

    # Acknowledged: their parcours runs, the order closes at its end.
    commandes.accuser_avenant(ajout, par=alpha)
    assert not cloture_offerte(demo, bon)
    assert "1 parcours en cours ou en attente" in cloture_refusee(demo, bon)


def test_un_remplacant_refuse_par_la_commission_ne_retient_pas_le_bon(demo, bon_sans_personne):
    bon = bon_sans_personne
    hmae = bon.lignes.get(prescription__demandeur__nom="HMAE")
    wahetra = remplacant_soumis(demo, "WAHETRA")
    commandes.proposer_remplacant(hmae, wahetra, par=demo["gestionnaire1"])
    assert PROPOSER not in page(demo, bon).split(f'id="ligne-{hmae.pk}"')[1].split("</tr>")[0]

    en_commission(demo, wahetra, Decision.REFUSEE)
    # The place is free again: another substitute may be proposed, and the order closes.
    assert PROPOSER in page(demo, bon).split(f'id="ligne-{hmae.pk}"')[1].split("</tr>")[0]
    assert cloture_offerte(demo, bon)
    commandes.cloturer(bon, par=demo["gestionnaire1"])


def test_proposer_un_remplacant_disparait_quand_le_remplacant_a_rejoint_le_bon(
    demo, bon_sans_personne, django_assert_max_num_queries
):
    bon, gestionnaire, alpha = bon_sans_personne, demo["gestionnaire1"], demo["alpha1"]
    hmae = bon.lignes.get(prescription__demandeur__nom="HMAE")
    dupont = bon.lignes.get(prescription__demandeur__nom="DUPONT")
    wahetra = remplacant_soumis(demo, "WAHETRA")
    commandes.proposer_remplacant(hmae, wahetra, par=gestionnaire)
    en_commission(demo, wahetra)
    ajout = bon.avenants.get(rang__isnull=True)
    commandes.emettre_avenant(ajout, par=gestionnaire)
    commandes.accuser_avenant(ajout, par=alpha)

    def ligne_de(texte, ligne):
        return texte.split(f'id="ligne-{ligne.pk}"')[1].split("</tr>")[0]

    client = Client()
    client.force_login(gestionnaire)
    with django_assert_max_num_queries(40):
        texte = client.get(bon.get_absolute_url()).content.decode()
    assert "Remplaçant : " in ligne_de(texte, hmae) and "WAHETRA" in ligne_de(texte, hmae)
    assert PROPOSER not in ligne_de(texte, hmae)
    assert PROPOSER in ligne_de(texte, dupont)  # DUPONT's place is still free

    # Nor through the service, nor the prestataire's suggestion: the place is taken.
    autre = remplacant_soumis(demo, "WAKANUMUNE")
    with pytest.raises(ValidationError, match="WAHETRA Marie a déjà rejoint le bon"):
        commandes.proposer_remplacant(hmae, autre, par=gestionnaire)
    with pytest.raises(ValidationError, match="WAHETRA Marie a déjà rejoint le bon"):
        commandes.proposer_candidat(hmae, "Mme WAKA", par=alpha)
    alpha_client = Client()
    alpha_client.force_login(alpha)
    texte = alpha_client.get(bon.get_absolute_url()).content.decode()
    assert "Proposer un candidat à la DEL" not in ligne_de(texte, hmae)
    assert "Proposer un candidat à la DEL" in ligne_de(texte, dupont)
