"""Forget the jobs ended more than --jours days ago (30 by default), with their files and the
queue's records of them: a prepared export, an import's file are kept in the database for
their user to come back to, not for ever. Jobs still waiting or running are kept."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from travaux.models import Etat, Travail


class Command(BaseCommand):
    help = "Supprime les travaux en arrière-plan terminés ou échoués depuis plus de --jours jours."

    def add_arguments(self, parser):
        parser.add_argument("--jours", type=int, default=30)

    def handle(self, *args, jours, **options):
        limite = timezone.now() - timedelta(days=jours)
        anciens = Travail.objects.filter(
            etat__in=[Etat.TERMINE, Etat.ECHOUE], termine_le__lt=limite
        )
        taches = [t for t in anciens.values_list("tache_id", flat=True) if t]
        _, par_modele = anciens.delete()
        DBTaskResult.objects.filter(id__in=taches).delete()
        nombre = par_modele.get(Travail._meta.label, 0)
        quoi = "travail supprimé" if nombre == 1 else "travaux supprimés"
        self.stdout.write(
            f"{nombre} {quoi} (terminés avant le {timezone.localtime(limite):%d/%m/%Y})."
        )
