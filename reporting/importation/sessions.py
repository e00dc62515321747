"""Writing the sessions' follow-up: the bilan de fin de parcours each new session owes (once
every batch is written: a session's rows may span batches), the bilans the file gives as
sent, and the dates of the imported sessions an import changed."""

from collections import defaultdict
from datetime import date, datetime, time

from django.db.models import Min
from django.utils import timezone

from bons_de_commande.models import BonDeCommande
from prestataires.models import Parcours
from procurement.models import PassageCommission, SessionCommission

from ..bilans import fins_de_sessions
from ..enums import EtatBilan
from ..models import BilanFinParcours
from ..services import actualiser_bilan, enregistrer_bilan_transmis, suivre_bilan
from .contexte import PAQUET, Contexte
from .insertion import inserer


def midi(jour: date) -> datetime:
    """An imported decision, issue or acknowledgement: at noon, Nouméa time, on its day."""
    return datetime.combine(jour, time(12), tzinfo=timezone.get_default_timezone())


class BilansDesSessions:
    """Writes, after the parcours, what the sessions the import created or changed owe."""

    def __init__(self, par, nouveaux_bons: dict[str, BonDeCommande], bons_touches: set[int]):
        self.contexte: Contexte | None = None
        self.par = par
        self.nouveaux_bons, self.bons_touches = nouveaux_bons, bons_touches
        # A new session -> the day its bilan was sent, if a row of it gives one.
        self.transmis: dict[str, date | None] = {}

    def noter(self, contexte: Contexte, lignes):
        """A batch written: the sent bilans of its new sessions are noted, those of the
        sessions already imported written."""
        self.contexte = contexte
        for ligne in lignes:
            if ligne.session in self.nouveaux_bons and not self.transmis.get(ligne.session):
                self.transmis[ligne.session] = ligne.bilan_transmis
        self.bilans_transmis(lignes)

    def terminer(self):
        """Each new session owes its bilan de fin de parcours (sent when `bilan_transmis` is
        given; followed by its process otherwise); the sessions the import changed have their
        dates read again."""
        crees, bons = [], [self.nouveaux_bons[session] for session in self.transmis]
        fins = {}
        for debut in range(0, len(bons), PAQUET):
            fins |= fins_de_sessions(bons[debut : debut + PAQUET])
        for bon in bons:
            transmis = self.transmis[bon.numero]
            crees.append(
                BilanFinParcours.de_la_session(
                    bon,
                    fins.get(bon.pk),
                    etat=EtatBilan.TRANSMIS if transmis else EtatBilan.A_REDIGER,
                    transmis_le=transmis,
                    transmis_par=self.par if transmis else None,
                )
            )
        inserer(BilanFinParcours, crees)
        for bilan in crees:
            if bilan.etat == EtatBilan.A_REDIGER:
                suivre_bilan(bilan)
        self.sessions_touchees()

    def bilans_transmis(self, lignes):
        """A session already imported whose bilan the file now gives as sent (on that day): a
        bilan followed by its process has its writing step done; an earlier history's record is
        restated."""
        par_jour, suivis = defaultdict(set), {}
        for ligne in lignes:
            if "bilan_transmis" not in ligne.enonces or ligne.session in self.nouveaux_bons:
                continue
            bilan = self.contexte.bilan_de(ligne, ligne.base)
            if bilan and bilan.transmis_le != ligne.bilan_transmis:
                if bilan.process_id:
                    suivis[bilan.pk] = (bilan, ligne.bilan_transmis)
                else:
                    par_jour[ligne.bilan_transmis].add(bilan.pk)
        for bilan, jour in suivis.values():
            enregistrer_bilan_transmis(bilan, par=self.par, le=jour)
        for jour, bilans in par_jour.items():
            bilans = BilanFinParcours.objects.filter(pk__in=bilans)
            bilans.update(transmis_le=jour, transmis_par=self.par)
            # History restated (see ecriture._mettre_en_etat): a bilan sent on that day.
            bilans.filter(etat=EtatBilan.A_REDIGER).update(etat=EtatBilan.TRANSMIS)

    def sessions_touchees(self):
        """An imported session that gained people, or whose people's dates changed: its
        commission date, issue and acknowledgement dates, and its bilan's due date follow."""
        if not self.bons_touches:
            return
        bons = BonDeCommande.objects.filter(pk__in=self.bons_touches).select_related("session")
        importes = [bon for bon in bons if bon.importe]
        decisions = dict(
            PassageCommission.objects.filter(session__bon_de_commande__in=importes)
            .values_list("session__bon_de_commande")
            .annotate(Min("decide_le"))
        )
        entrees = dict(
            Parcours.objects.filter(ligne__bon__in=importes)
            .values_list("ligne__bon")
            .annotate(Min("date_entree"))
        )
        for bon in importes:
            emission = timezone.localdate(decisions[bon.pk])
            bon.session.date_seance = emission
            bon.emis_le = midi(emission)
            bon.accuse_le = midi(entrees.get(bon.pk) or emission)
        SessionCommission.objects.bulk_update([b.session for b in importes], ["date_seance"])
        BonDeCommande.objects.bulk_update(importes, ["emis_le", "accuse_le"])
        for bon in bons:
            actualiser_bilan(bon)
