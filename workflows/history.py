"""Every django-fsm transition is journaled: who, when, from, to, why.

Transition methods take `par` (the acting user) and, where a reason is asked, `motif`.
"""

from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver
from django_fsm.signals import post_transition

from .models import Transition

# What each transition is called in a record's history: users read French words, never a
# method's name ("Ouvrir_seance"). tests/workflows/test_historique.py checks that every
# transition of every model has its label here.
LIBELLES = {
    "accepter": "Acceptation",
    "accuser_reception": "Accusé de réception",
    "ajourner": "Ajournement",
    "annuler": "Annulation",
    "clore_maintien": "Clôture du maintien dans l'emploi",
    "cloturer": "Clôture",
    "commander": "Commande",
    "corriger_decision": "Correction de la décision",
    "cosigner": "Cosignature",
    "demarrer": "Démarrage",
    "desinscrire": "Retrait de l'ordre du jour",
    "desister": "Désistement",
    "emettre": "Émission",
    "entrer": "Entrée",
    "inscrire": "Inscription à l'ordre du jour",
    "ouvrir_seance": "Ouverture de la séance",
    "refuser": "Refus",
    "renvoyer": "Renvoi",
    "reprendre": "Reprise",
    "retirer": "Retrait",
    "sortir": "Sortie",
    "soumettre": "Soumission",
    "suspendre": "Suspension",
    "terminer": "Fin",
    "transmettre": "Transmission",
    "valider": "Validation",
    "verifier": "Vérification",
}


@receiver(post_transition)
def journaliser_transition(sender, instance, name, source, target, **kwargs):
    method_kwargs = kwargs.get("method_kwargs") or {}
    Transition.objects.create(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        nom=name,
        source=source,
        cible=target,
        par=method_kwargs.get("par"),
        motif=method_kwargs.get("motif", ""),
    )


def historique(instance, champ="etat"):
    """The record's transitions, oldest first, with the states' labels."""
    libelles = dict(instance._meta.get_field(champ).choices)
    transitions = list(
        Transition.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=instance.pk
        ).select_related("par")
    )
    for transition in transitions:
        transition.libelle = LIBELLES.get(transition.nom, transition.nom.replace("_", " "))
        transition.source_libelle = libelles.get(transition.source, transition.source)
        transition.cible_libelle = libelles.get(transition.cible, transition.cible)
    return transitions
