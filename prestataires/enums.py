from django.db import models


class EtatParcours(models.TextChoices):
    ATTENTE_ENTREE = "attente_entree", "En attente d'entrée"
    EN_COURS = "en_cours", "En cours"
    SUSPENDU = "suspendu", "Suspendu"
    MAINTIEN = "maintien", "Sorti, maintien dans l'emploi"
    TERMINE = "termine", "Terminé"
    ANNULE = "annule", "Annulé (désistement avant l'entrée)"


# A parcours runs (events, plan, stages, evaluations can be recorded) in these states.
ETATS_ACTIFS = (EtatParcours.EN_COURS, EtatParcours.SUSPENDU)
# A parcours ended or cancelled: nothing more happens to it.
ETATS_CLOS = (EtatParcours.TERMINE, EtatParcours.ANNULE)


class TypeFin(models.TextChoices):
    """How a parcours ended (CCTP: completed, sortie anticipée or rupture)."""

    TERME = "terme", "Parcours mené à son terme"
    ANTICIPEE = "anticipee", "Sortie anticipée"
    RUPTURE_STAGIAIRE = "rupture_stagiaire", "Rupture à l'initiative du stagiaire"
    RUPTURE_STRUCTURE = "rupture_structure", "Rupture à l'initiative de la structure"


class MotifSuspension(models.TextChoices):
    SANTE = "sante", "Santé"
    FAMILLE = "famille", "Raisons familiales"
    LOGEMENT = "logement", "Logement"
    AUTRE = "autre", "Autre"


class Etape(models.IntegerChoices):
    """The three steps of a parcours (CCTP); steps 1 and 2 are the parcours, 3 follows it."""

    ACCOMPAGNEMENT = 1, "Étape 1 : accompagnement vers l'emploi"
    EXPERIENCE = 2, "Étape 2 : expérience en entreprise"
    SUIVI = 3, "Étape 3 : suivi après le parcours"


class StatutAction(models.TextChoices):
    PREVUE = "prevue", "Prévue"
    EN_COURS = "en_cours", "En cours"
    REALISEE = "realisee", "Réalisée"
    ABANDONNEE = "abandonnee", "Abandonnée"


class NatureRendezVous(models.TextChoices):
    INDIVIDUEL = "individuel", "Entretien individuel"
    COLLECTIF = "collectif", "Atelier collectif"


class MomentEvaluation(models.TextChoices):
    ENTREE = "entree", "À l'entrée"
    INTERMEDIAIRE = "intermediaire", "En cours de parcours"
    SORTIE = "sortie", "À la sortie"


class ObjetStage(models.TextChoices):
    """The three objects of a stage named by the CCTP."""

    DECOUVRIR = "decouvrir", "Découvrir un métier ou un secteur d'activité"
    CONFIRMER = "confirmer", "Confirmer un projet professionnel"
    RECRUTEMENT = "recrutement", "Initier une démarche de recrutement"


class EtatStage(models.TextChoices):
    PREPARATION = "preparation", "Convention en préparation"
    VERIFIE = "verifie", "Vérifié, prêt à démarrer"
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Terminé (bilan et rapport)"
    ANNULE = "annule", "Annulé"


# A stage not started yet can be cancelled (by hand, or by the exit of its parcours).
ETATS_STAGE_NON_COMMENCE = (EtatStage.PREPARATION, EtatStage.VERIFIE)


class NatureContact(models.TextChoices):
    REGULATION = "regulation", "Rendez-vous de régulation avec la personne"
    EMPLOYEUR = "employeur", "Contact avec l'employeur"


class Niveau(models.IntegerChoices):
    """Scale of the four evaluation axes."""

    INSUFFISANT = 1, "1 : insuffisant"
    A_RENFORCER = 2, "2 : à renforcer"
    SATISFAISANT = 3, "3 : satisfaisant"
    ACQUIS = 4, "4 : acquis"


class Satisfaction(models.IntegerChoices):
    TRES_INSATISFAIT = 1, "1 : pas du tout satisfait(e)"
    INSATISFAIT = 2, "2 : peu satisfait(e)"
    MOYEN = 3, "3 : moyennement satisfait(e)"
    SATISFAIT = 4, "4 : satisfait(e)"
    TRES_SATISFAIT = 5, "5 : très satisfait(e)"
