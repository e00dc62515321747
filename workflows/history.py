"""Every django-fsm transition is journaled: who, when, from, to, why.

Transition methods take `par` (the acting user) and, where a reason is asked, `motif`.
"""

from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver
from django_fsm.signals import post_transition

from .models import Transition


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
        transition.source_libelle = libelles.get(transition.source, transition.source)
        transition.cible_libelle = libelles.get(transition.cible, transition.cible)
    return transitions
