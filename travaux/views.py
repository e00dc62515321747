"""« Mes travaux »: a user's recent jobs, one job's page (its progress, refreshed by the page
itself until it ends, then its result or its French message), and its file. A user reaches his
own jobs only: another's answers 404, as if it did not exist."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views import generic

from documents.telechargements import reponse_fichier, telecharger

from .models import Travail

# « Mes travaux » lists this many recent jobs.
TRAVAUX_LISTES = 30
# The job's page reloads itself this often (seconds) until the job ends.
RAFRAICHISSEMENT = 2


def travail_de(request, pk, *, avec=()) -> Travail:
    """The user's job `pk` (404 for anyone else's), with the permission it was started under
    (403 if the user has lost it)."""
    travaux = Travail.objects.de(request.user).sans_contenus()
    if avec:
        travaux = travaux.defer(None).defer(*({"fichier", "resultat"} - set(avec)))
    travail = get_object_or_404(travaux, pk=pk)
    if travail.permission and not request.user.has_perm(travail.permission):
        raise PermissionDenied
    return travail


class MesTravauxView(generic.TemplateView):
    template_name = "travaux/liste.html"

    def get_context_data(self, **kwargs):
        travaux = Travail.objects.de(self.request.user).sans_contenus()[:TRAVAUX_LISTES]
        return super().get_context_data(
            travaux=travaux,
            rafraichir=RAFRAICHISSEMENT if any(not t.fini for t in travaux) else None,
            **kwargs,
        )


class TravailView(generic.TemplateView):
    template_name = "travaux/detail.html"

    def get_context_data(self, pk, **kwargs):
        travail = travail_de(self.request, pk)
        return super().get_context_data(
            travail=travail,
            rafraichir=None if travail.fini else RAFRAICHISSEMENT,
            a_un_fichier=travail.fini
            and Travail.objects.filter(pk=pk, resultat__isnull=False).exists(),
            # The file it read still waits (an import's check, for its confirmation).
            fichier_en_attente=travail.fini
            and Travail.objects.filter(pk=pk, fichier__isnull=False).exists(),
            **kwargs,
        )


class FichierDuTravailView(generic.View):
    """The job's file. A nominative export is written in the journal now, when its user takes
    it (documents.telechargements), not when it was asked for: the journal says who took which
    personal data, and a job never downloaded handed nothing out."""

    def get(self, request, pk):
        travail = travail_de(request, pk, avec=("resultat",))
        if travail.resultat is None or not travail.resultat_nom:
            raise Http404("Ce travail n'a pas de fichier.")
        contenu = bytes(travail.resultat)
        journal = (travail.rapport or {}).get("journal")
        if journal:
            return telecharger(
                request.user,
                contenu,
                travail.resultat_nom,
                journal["objet"],
                filtres=journal.get("filtres"),
                lignes=journal.get("lignes"),
            )
        return reponse_fichier(contenu, travail.resultat_nom)
