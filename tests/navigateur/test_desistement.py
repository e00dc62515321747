"""In the browser: KAOUMA withdraws from ALPHA's order BC-2026-0002 before her entry; the
gestionnaire records it and issues the avenant de retrait, ALPHA acknowledges it; DUPONT,
submitted to the commission, is proposed in her place, validated by a session of her own and
added by an avenant d'ajout that ALPHA acknowledges: her parcours is created."""

from bons_de_commande.models import BonDeCommande
from prestataires.models import Parcours
from procurement.models import Prescription

REMPLACANT = "DUPONT Marie"


def ligne_de(navigateur, personne):
    return navigateur.page.get_by_role("row").filter(has_text=personne)


def test_a_withdrawal_is_replaced_through_two_avenants(navigateur):
    bon = BonDeCommande.objects.get(lignes__prescription__demandeur__nom="KAOUMA")
    avenants_avant = bon.avenants.count()

    # The gestionnaire records the withdrawal and issues the avenant de retrait.
    navigateur.connecter("gestionnaire1")
    navigateur.lien("Bons de commande")
    navigateur.lien(bon.numero)
    kaouma = ligne_de(navigateur, "KAOUMA Rose")
    navigateur.remplir("Motif", "A trouvé un emploi avant son entrée.", dans=kaouma)
    navigateur.bouton("Enregistrer le désistement", dans=kaouma)
    retrait = ligne_de(navigateur, "(retrait)")
    navigateur.bouton("Émettre l'avenant", dans=retrait)

    # He proposes DUPONT, submitted to the commission, in her place.
    kaouma = ligne_de(navigateur, "KAOUMA Rose").first
    dupont = Prescription.objects.get(demandeur__nom="DUPONT")
    navigateur.choisir(
        "Prescription du remplaçant", f"{REMPLACANT} (n° {dupont.pk}, Claire Wenceslas)"
    )
    navigateur.bouton("Proposer", dans=kaouma)
    assert f"Remplaçant : {REMPLACANT}" in navigateur.texte()

    # ALPHA acknowledges the avenant de retrait.
    navigateur.connecter("alpha1")
    navigateur.lien("Bons de commande")
    navigateur.lien(bon.numero)
    navigateur.bouton("Accuser réception", dans=ligne_de(navigateur, "(retrait)"))

    # The substitute goes before a session of her own and is validated.
    navigateur.connecter("gestionnaire1")
    navigateur.lien("Commission interne")
    navigateur.lien("Ouvrir une séance")
    navigateur.choisir("Lot", "Lot 1 : Demandeurs d'emploi éloignés de l'emploi")
    navigateur.choisir("Prestataire", "Alpha Insertion SARL (ALPHA)")
    navigateur.cocher("Paul Naisseline")
    navigateur.bouton("Ouvrir la séance")
    navigateur.valider_en_seance(REMPLACANT, duree_mois=7)

    # The avenant d'ajout is issued and acknowledged: DUPONT's parcours exists.
    navigateur.connecter("gestionnaire1")
    navigateur.lien("Bons de commande")
    navigateur.lien(bon.numero)
    navigateur.bouton("Émettre l'avenant", dans=ligne_de(navigateur, "(ajout"))
    navigateur.connecter("alpha1")
    navigateur.lien("Bons de commande")
    navigateur.lien(bon.numero)
    navigateur.bouton("Accuser réception", dans=ligne_de(navigateur, "(ajout"))

    assert bon.avenants.count() == avenants_avant + 2
    assert Parcours.objects.filter(demandeur__nom="DUPONT", ligne__bon=bon).exists()
