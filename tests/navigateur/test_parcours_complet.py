"""In the browser, the whole chain for a new person: the conseiller registers her and
prescribes her in binôme, the travailleur social co-signs, the gestionnaire puts her on a
session's agenda, the commission validates, the bon de commande is issued, ALPHA
acknowledges it, enters her, places her in a stage with its convention, records her exit and
the maintien contact."""

import re
from datetime import date, datetime

from prestataires.models import Parcours
from procurement.models import Prescription
from tests.conftest import NOUMEA

NOM, PRENOM = "MAPOU", "Jeanne"
PERSONNE = f"{NOM} {PRENOM}"


def test_a_new_person_goes_from_prescription_to_maintien(navigateur):
    # The conseiller registers her and prescribes her in binôme (housing difficulties).
    navigateur.connecter("conseiller1")
    navigateur.lien("Demandeurs d'emploi")
    navigateur.aller("/demandeurs/nouveau/")
    navigateur.remplir("Nom", NOM)
    navigateur.remplir("Prénom", PRENOM)
    navigateur.remplir("Date de naissance", "1994-05-17")
    navigateur.choisir("Genre", "Femme")
    navigateur.choisir("Niveau de formation", "CAP / BEP")
    navigateur.remplir("Commune", "Nouméa")
    navigateur.choisir("Situation de logement", "Hébergé(e) chez un tiers")
    navigateur.bouton("Enregistrer")
    navigateur.lien("Prescrire un parcours")
    navigateur.choisir("Lot", "Lot 1 : Demandeurs d'emploi éloignés de l'emploi")
    navigateur.choisir("Prestataire", "Alpha Insertion SARL (ALPHA)")
    navigateur.remplir("Motif de la prescription", "Reprendre pied après deux ans sans emploi.")
    navigateur.cocher("Mobilité")
    navigateur.remplir("Résultat attendu", "Un emploi dans la restauration.")
    navigateur.cocher("Difficultés de logement")
    navigateur.choisir("Travailleur social du binôme", "Sonia Wakanumune")
    navigateur.cocher("Accord de la personne")
    navigateur.remplir("Date de l'accord", "2026-12-01")
    navigateur.bouton("Transmettre")
    prescription = Prescription.objects.get(demandeur__nom=NOM)
    assert prescription.etat == "attente_cosignature"

    # The travailleur social co-signs from her tasks.
    navigateur.connecter("ts1")
    ligne = navigateur.page.get_by_role("row").filter(has_text=PERSONNE)
    navigateur.lien("Traiter", dans=ligne)
    navigateur.bouton("Co-signer et soumettre à la commission")
    prescription.refresh_from_db()
    assert prescription.etat == "soumise"

    # The gestionnaire opens a session, puts her on its agenda and opens it.
    navigateur.connecter("gestionnaire1")
    navigateur.lien("Commission interne")
    navigateur.lien("Ouvrir une séance")
    navigateur.choisir("Lot", "Lot 1 : Demandeurs d'emploi éloignés de l'emploi")
    navigateur.choisir("Prestataire", "Alpha Insertion SARL (ALPHA)")
    navigateur.cocher("Paul Naisseline")
    navigateur.cocher("Alice Alpha (ALPHA)")
    navigateur.bouton("Ouvrir la séance")
    # The commission validates her for 7 months.
    seance = navigateur.valider_en_seance(PERSONNE, duree_mois=7)
    prescription.refresh_from_db()
    assert prescription.etat == "validee"

    # The gestionnaire issues the bon de commande.
    navigateur.connecter("gestionnaire1")
    navigateur.aller(seance)
    navigateur.lien(re.compile(r"^Bon de commande"))
    navigateur.bouton("Émettre le bon de commande")
    numero = prescription.ligne_commande.bon.numero

    # ALPHA acknowledges it: her parcours waits for her entry.
    navigateur.connecter("alpha1")
    navigateur.lien("Bons de commande")
    navigateur.lien(numero)
    navigateur.bouton("Accuser réception")
    parcours = Parcours.objects.get(demandeur__nom=NOM)
    navigateur.lien("Parcours")
    navigateur.lien(PERSONNE)
    parcours_url = navigateur.page.url

    # Her first contact and entry, today.
    navigateur.remplir("Date du premier contact", "2026-12-02")
    navigateur.remplir("Date d'entrée en parcours", "2026-12-02")
    navigateur.bouton("Enregistrer l'entrée")
    parcours.refresh_from_db()
    assert parcours.date_entree == date(2026, 12, 2)

    # A stage at the bakery, with its convention.
    navigateur.lien("Préparer un stage")
    navigateur.choisir("Entreprise d'accueil", "Boulangerie du Quartier Latin (RIDET 0123456.001)")
    navigateur.choisir("Objet du stage", "Confirmer un projet professionnel")
    navigateur.remplir("Objectifs opérationnels", "Tenir un poste de vente.")
    navigateur.remplir("Tuteur", "Mme WAHETRA")
    navigateur.remplir("Fonction du tuteur", "Gérante")
    navigateur.remplir("Premier jour", "2026-12-07")
    navigateur.remplir("Dernier jour", "2026-12-18")
    navigateur.remplir("Heures par semaine", "35")
    navigateur.remplir("Activités confiées et compétences visées", "Vente, encaissement.")
    navigateur.remplir("Critères de l'évaluation finale", "Ponctualité, accueil.")
    navigateur.bouton("Enregistrer la convention")
    nom, contenu = navigateur.telecharger("Convention de stage (PDF)")
    assert nom.endswith(".pdf") and contenu.startswith(b"%PDF")

    # Hired before the term: an early exit into a CDI, in January.
    navigateur.horloge.move_to(datetime(2027, 1, 8, 9, tzinfo=NOUMEA))
    navigateur.aller(parcours_url)
    navigateur.remplir("Date de sortie", "2027-01-08")
    navigateur.choisir("Fin du parcours", "Sortie anticipée")
    navigateur.choisir("Situation à la sortie", "CDI")
    navigateur.remplir("Motif de la sortie anticipée ou de la rupture", "Embauchée en CDI.")
    navigateur.remplir("Difficultés rencontrées", "Aucune.")
    navigateur.remplir("Préconisations", "Aucune.")
    navigateur.choisir("Satisfaction de la personne", "5 : très satisfait(e)")
    navigateur.bouton("Enregistrer la sortie")
    parcours.refresh_from_db()
    assert parcours.date_sortie == date(2027, 1, 8)

    # A month later, the maintien contact.
    navigateur.horloge.move_to(datetime(2027, 2, 9, 9, tzinfo=NOUMEA))
    navigateur.aller(parcours_url)
    contact = navigateur.page.locator("details", has_text="Noter un contact")
    navigateur.remplir("Date", "2027-02-09", dans=contact)
    navigateur.choisir("Nature", "Rendez-vous de régulation avec la personne", dans=contact)
    navigateur.remplir("Compte rendu", "Toujours en poste, contente.", dans=contact)
    navigateur.bouton("Enregistrer le contact")
    assert "Toujours en poste, contente." in navigateur.texte()
