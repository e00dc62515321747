"""Order rules that views, flows, commands and tests all call.

Every rule runs inside the caller's database transaction and locks the rows it changes before
reading their state. An action that is a step of the session's or the avenant's process has
one entry point (emettre, annuler, accuser, desister, emettre_avenant, accuser_avenant), which
runs the rule and completes the step in one transaction; what follows downstream (the parcours,
the bilan) is done by the receivers of bons_de_commande/signals.py, in that transaction too.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from documents.pdf import enregistrer_pdf
from procurement.enums import Decision, EtatPrescription
from procurement.models import AttributionLot, Prescription
from workflows.actions import exiger_transition
from workflows.notifications import notifier
from workflows.taches import accomplir, lancer

from .enums import EtatLigne, NatureAvenant
from .models import Avenant, BonDeCommande, CompteurAnnuel, LigneCommande, remplacants_en_lice
from .signals import avenant_accuse, commande_accusee, desistement

# Decision of the DEL: an order or avenant not acknowledged within 5 days is escalated (the
# flows' timers alert its issuer; the dashboard lists it).
DELAI_ACCUSE_RECEPTION = timedelta(days=5)


def prochain_numero(annee: int) -> int:
    """The next order number of the year, gapless: the counter row is locked until the
    issuing transaction ends, and a rolled-back issue gives its number back."""
    CompteurAnnuel.objects.bulk_create([CompteurAnnuel(annee=annee)], ignore_conflicts=True)
    compteur = CompteurAnnuel.objects.select_for_update().get(annee=annee)
    compteur.dernier += 1
    compteur.save(update_fields=["dernier"])
    return compteur.dernier


def preparer_commande(session, par):
    """After the commission: a draft order for the people it validated, and a draft avenant
    (and its process) for each validated substitute, on the order of the person they
    replace."""
    valides = session.passages.filter(decision=Decision.VALIDEE).select_related(
        "prescription__remplace__bon", "prescription__demandeur"
    )
    nouvelles = [p for p in valides if p.prescription.remplace_id is None]
    bon = None
    if nouvelles:
        attribution = (
            AttributionLot.objects.en_vigueur(session.date_seance)
            .filter(prestataire=session.prestataire, lot=session.lot)
            .first()
        )
        if attribution is None:
            raise ValidationError(
                f"{session.prestataire} ne détient pas le lot {session.lot.numero} au "
                f"{session.date_seance:%d/%m/%Y} : aucun bon de commande ne peut être préparé."
            )
        bon = BonDeCommande.objects.create(
            session=session,
            prestataire=session.prestataire,
            lot=session.lot,
            attribution=attribution,
        )
        LigneCommande.objects.bulk_create(
            LigneCommande(bon=bon, prescription=p.prescription, duree_mois=p.duree_mois)
            for p in nouvelles
        )
    avenants = [
        ajouter_remplacant(passage.prescription, passage.duree_mois)
        for passage in valides
        if passage.prescription.remplace_id
    ]
    for avenant in avenants:
        lancer(avenant, "creer")
    return bon


def _verrouiller_bon_amendable(bon_pk) -> BonDeCommande:
    bon = BonDeCommande.objects.select_for_update().get(pk=bon_pk)
    if not bon.amendable:
        raise ValidationError(
            f"Le bon de commande {bon} est {bon.get_etat_display().lower()} : aucun avenant "
            "ne peut y être porté."
        )
    return bon


def ajouter_remplacant(prescription, duree_mois) -> Avenant:
    ligne_remplacee = prescription.remplace
    bon = _verrouiller_bon_amendable(ligne_remplacee.bon_id)
    avenant = Avenant.objects.create(
        bon=bon,
        nature=NatureAvenant.AJOUT,
        motif=f"Remplacement de {ligne_remplacee.prescription.demandeur} (désistement) par "
        f"{prescription.demandeur}, validé en commission.",
    )
    LigneCommande.objects.create(
        bon=bon, prescription=prescription, duree_mois=duree_mois, avenant_ajout=avenant
    )
    return avenant


def _commander_lignes(lignes, par):
    for ligne in lignes:
        ligne.commander(par=par)
        ligne.save()
        prescription = Prescription.objects.select_for_update().get(pk=ligne.prescription_id)
        prescription.commander(par=par, motif=f"Bon de commande {ligne.bon.numero}")
        prescription.save()


def _beneficiaires(bon):
    """The people the order currently launches, as its documents list them."""
    return bon.lignes.pour_liste().filter(etat=EtatLigne.COMMANDEE)


def _emettre(bon: BonDeCommande, par) -> BonDeCommande:
    """Number, freeze and render the order. The number's year is the issuing day's year in
    Nouméa time: on 1 January at 09:00 in Nouméa it is still 31 December in UTC."""
    bon = BonDeCommande.objects.select_for_update().get(pk=bon.pk)
    exiger_transition(
        bon.emettre,
        par,
        refus=f"Ce bon de commande ne peut plus être émis : il est "
        f"{bon.get_etat_display().lower()}{f' ({bon.numero})' if bon.numero else ''}.",
    )
    annee = timezone.localdate().year
    bon.emettre(par=par, annee=annee, sequence=prochain_numero(annee))
    _commander_lignes(bon.lignes.filter(etat=EtatLigne.PREVUE).select_related("bon"), par)
    bon.document = enregistrer_pdf(
        "pdf/bon_de_commande.html",
        {"bon": bon, "lignes": _beneficiaires(bon)},
        bon.nom_fichier,
    )
    bon.save()
    return bon


def emettre(bon: BonDeCommande, *, par) -> BonDeCommande:
    """The gestionnaire issues the order: its number, its PDF and their task, together."""
    return accomplir(bon.session.process, "commander", par=par, action=lambda: _emettre(bon, par))


def _annuler(bon: BonDeCommande, par, motif: str) -> None:
    """The DEL decides not to send a prepared order; the people stay validated."""
    bon = BonDeCommande.objects.select_for_update().get(pk=bon.pk)
    exiger_transition(
        bon.annuler, par, refus="Seul un bon de commande en préparation peut être annulé."
    )
    bon.annuler(par=par, motif=motif)
    bon.save()


def annuler(bon: BonDeCommande, *, par, motif: str) -> None:
    accomplir(bon.session.process, "commander", par=par, action=lambda: _annuler(bon, par, motif))


def _exiger_accuse(transition, refus: str, par):
    exiger_transition(
        transition,
        par,
        refus=refus,
        interdit="Seul le prestataire destinataire peut accuser réception.",
    )


def _accuser_reception(bon: BonDeCommande, par) -> list[LigneCommande]:
    bon = BonDeCommande.objects.select_for_update().get(pk=bon.pk)
    _exiger_accuse(
        bon.accuser_reception, f"La réception du bon de commande {bon} a déjà été accusée.", par
    )
    bon.accuser_reception(par=par)
    bon.save()
    return list(bon.lignes.filter(etat=EtatLigne.COMMANDEE).select_related("bon", "prescription"))


def _parcours_lances(lignes):
    """The parcours the receivers started for these lines, through each one's relation to its
    line (a parcours belongs to prestataires, downstream)."""
    return [ligne.parcours for ligne in lignes]


def accuser(bon: BonDeCommande, *, par):
    """The prestataire acknowledges the order: downstream, one parcours per line starts,
    waiting for entry, and the session's bilan opens (commande_accusee). Returns the
    parcours."""

    def accuser_reception():
        lignes = _accuser_reception(bon, par)
        commande_accusee.send(sender=BonDeCommande, bon=bon, lignes=lignes)
        return _parcours_lances(lignes)

    return accomplir(bon.session.process, "accuser_reception", par=par, action=accuser_reception)


def _alerter_l_emetteur(document, libelle: str, prestataire) -> None:
    """An issued document not acknowledged DELAI_ACCUSE_RECEPTION after its issue: its issuer
    is told (the flows' timers, once per document)."""
    notifier(
        document.emis_par,
        f"{libelle} {document} n'a pas été accusé par {prestataire} "
        f"{DELAI_ACCUSE_RECEPTION.days} jours après son émission.",
        lien=document.get_absolute_url(),
    )


def alerter_bon_non_accuse(bon: BonDeCommande) -> None:
    _alerter_l_emetteur(bon, "Le bon de commande", bon.prestataire)


def alerter_avenant_non_accuse(avenant: Avenant) -> None:
    _alerter_l_emetteur(avenant, "L'avenant", avenant.bon.prestataire)


def cloturer(bon: BonDeCommande, par) -> None:
    """The DEL closes an acknowledged order once every parcours it launched has ended."""
    bon = BonDeCommande.objects.select_for_update().get(pk=bon.pk)
    restants = bon.parcours_restants()
    attendu = bon.remplacants_attendus().select_related("demandeur").first()
    if restants:
        refus = (
            f"Le bon de commande a encore {restants} parcours en cours ou en attente : il "
            "sera clôturé à la fin de leurs parcours."
        )
    elif attendu:
        refus = (
            f"Un remplaçant est attendu : {attendu.demandeur} n'a pas encore commencé son "
            "parcours. Le bon de commande sera clôturé à la fin de son parcours (ou après son "
            "refus par la commission)."
        )
    else:
        refus = (
            f"Le bon de commande {bon} est {bon.get_etat_display().lower()} : seul un bon "
            "dont la réception est accusée se clôture."
        )
    exiger_transition(bon.cloturer, par, refus=refus)
    bon.cloturer(par=par)
    bon.save()


@transaction.atomic
def desister(ligne: LigneCommande, *, par, motif: str) -> Avenant:
    """A validated person withdraws: the line awaits an avenant (started with its process) that
    takes it off the order; downstream, their parcours is cancelled, or the withdrawal refused
    if they entered it (desistement)."""
    bon = _verrouiller_bon_amendable(ligne.bon_id)
    ligne = (
        LigneCommande.objects.select_for_update(of=("self",))
        .select_related("prescription")
        .get(pk=ligne.pk)
    )
    exiger_transition(
        ligne.desister,
        par,
        refus=f"Le désistement de {ligne.prescription.demandeur} est déjà enregistré.",
    )
    ligne.desister(par=par, motif=motif)
    prescription = Prescription.objects.select_for_update().get(pk=ligne.prescription_id)
    prescription.desister(par=par, motif=motif)
    prescription.save()
    ligne.avenant_retrait = Avenant.objects.create(
        bon=bon,
        nature=NatureAvenant.RETRAIT,
        motif=f"Désistement de {prescription.demandeur} : {motif}",
    )
    ligne.save()
    lancer(ligne.avenant_retrait, "creer")
    desistement.send(sender=LigneCommande, ligne=ligne, par=par, motif=motif)
    return ligne.avenant_retrait


def _emettre_avenant(avenant: Avenant, par) -> Avenant:
    bon = _verrouiller_bon_amendable(avenant.bon_id)
    avenant = Avenant.objects.select_for_update().get(pk=avenant.pk)
    exiger_transition(avenant.emettre, par, refus=f"L'avenant {avenant} est déjà émis.")
    rang = (bon.avenants.aggregate(dernier=Max("rang"))["dernier"] or 0) + 1
    avenant.bon = bon
    avenant.emettre(par=par, rang=rang)
    for ligne in avenant.lignes_retirees.select_for_update():
        ligne.retirer(par=par, motif=avenant.numero)
        ligne.save()
    _commander_lignes(avenant.lignes_ajoutees.select_related("bon"), par)
    avenant.document = enregistrer_pdf(
        "pdf/avenant.html",
        {
            "avenant": avenant,
            "bon": bon,
            "retirees": avenant.lignes_retirees.pour_liste(),
            "ajoutees": avenant.lignes_ajoutees.pour_liste(),
            "lignes": _beneficiaires(bon),
        },
        avenant.nom_fichier,
    )
    avenant.save()
    return avenant


def emettre_avenant(avenant: Avenant, *, par) -> Avenant:
    return accomplir(
        avenant.process, "emettre", par=par, action=lambda: _emettre_avenant(avenant, par)
    )


def _accuser_avenant(avenant: Avenant, par) -> list[LigneCommande]:
    avenant = (
        Avenant.objects.select_for_update(of=("self",)).select_related("bon").get(pk=avenant.pk)
    )
    _exiger_accuse(
        avenant.accuser_reception, f"La réception de l'avenant {avenant} a déjà été accusée.", par
    )
    avenant.accuser_reception(par=par)
    avenant.save()
    return list(avenant.lignes_ajoutees.select_related("bon", "prescription"))


def accuser_avenant(avenant: Avenant, *, par):
    """The prestataire acknowledges the avenant: downstream, the people it adds start their
    parcours (avenant_accuse). Returns those parcours."""

    def accuser_reception():
        lignes = _accuser_avenant(avenant, par)
        avenant_accuse.send(sender=Avenant, avenant=avenant, lignes=lignes)
        return _parcours_lances(lignes)

    return accomplir(avenant.process, "accuser_reception", par=par, action=accuser_reception)


PAS_DESISTEE = "Un remplaçant ne se propose qu'à la place d'une personne désistée."


def _exiger_place_libre(ligne: LigneCommande) -> None:
    """A withdrawn person's place takes one substitute at a time (remplacants_en_lice)."""
    if not ligne.remplacable:
        raise ValidationError(PAS_DESISTEE)
    en_lice = remplacants_en_lice(ligne.remplacants.all()).select_related("demandeur").first()
    if en_lice:
        raise ValidationError(
            f"{en_lice.demandeur} a déjà rejoint le bon de commande à cette place."
            if hasattr(en_lice, "ligne_commande")
            else f"Un remplaçant est déjà proposé : {en_lice.demandeur}."
        )


def proposer_remplacant(ligne: LigneCommande, prescription: Prescription, par) -> None:
    """The DEL names the submitted prescription that replaces a withdrawn person; it goes
    through the commission like any other, then joins the order by avenant."""
    ligne = (
        LigneCommande.objects.select_for_update(of=("self",)).select_related("bon").get(pk=ligne.pk)
    )
    _verrouiller_bon_amendable(ligne.bon_id)
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    _exiger_place_libre(ligne)
    if prescription.lot_id != ligne.bon.lot_id:
        raise ValidationError(
            f"Le remplaçant doit être prescrit sur le lot {ligne.bon.lot.numero}, comme la "
            f"personne qu'il remplace (sa prescription est sur le lot {prescription.lot.numero})."
        )
    if prescription.prestataire_id != ligne.bon.prestataire_id:
        raise ValidationError(
            f"Le remplaçant doit être prescrit chez {ligne.bon.prestataire}, le titulaire du "
            "bon de commande."
        )
    if prescription.etat != EtatPrescription.SOUMISE or prescription.remplace_id:
        raise ValidationError(
            "Seule une prescription soumise et pas encore inscrite en commission peut être "
            "proposée en remplacement."
        )
    prescription.remplace = ligne
    prescription.save(update_fields=["remplace", "modifiee_le"])


def proposer_candidat(ligne: LigneCommande, texte: str, par) -> None:
    """The prestataire suggests a candidate; the DEL prescribes them if it agrees."""
    ligne = (
        LigneCommande.objects.select_for_update(of=("self",)).select_related("bon").get(pk=ligne.pk)
    )
    if ligne.bon.prestataire_id != par.prestataire_id:
        raise PermissionDenied
    _exiger_place_libre(ligne)
    ligne.proposition_prestataire = texte
    ligne.save(update_fields=["proposition_prestataire"])
