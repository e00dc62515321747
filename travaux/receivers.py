"""A task that died outside its own error handling (a worker killed, an import error): its
job says so to its user rather than waiting for ever."""

from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from .models import Etat, Travail

MESSAGE_INATTENDU = (
    "Une erreur inattendue a interrompu ce travail : rien n'a été écrit. Relancez-le ; si "
    "l'erreur revient, signalez-la à l'administrateur (elle est consignée dans le journal du "
    "serveur)."
)


@receiver(task_finished)
def travail_interrompu(sender, task_result, **kwargs):
    if task_result.status != TaskResultStatus.FAILED:
        return
    Travail.objects.filter(
        tache_id=str(task_result.id), etat__in=[Etat.EN_ATTENTE, Etat.EN_COURS]
    ).update(etat=Etat.ECHOUE, message=MESSAGE_INATTENDU, termine_le=timezone.now())
