"""Demo data: prestataires, one user per role, demandeurs and prescriptions in every state.

Idempotent: a second run finds everything in place and creates nothing (docs/contrats.md §1).
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from accounts.roles import Role
from bons_de_commande import services as commandes
from bons_de_commande.models import BonDeCommande
from prestataires import services as parcours_services
from prestataires.models import Entreprise, ModuleCollectif, Parcours
from prestataires.suivi import DELAI_ENTREE
from procurement import services
from procurement.enums import Decision
from procurement.models import (
    AttributionLot,
    Commune,
    Demandeur,
    Frein,
    Lot,
    NiveauFormation,
    Prescription,
    Prestataire,
    SessionCommission,
    cle_doublon,
)
from procurement.referentiels import charger_referentiels
from remunerations import services as remunerations
from remunerations.calcul import calculer, releve
from remunerations.services import cle
from workflows.taches import executer_tache, flux_de, noeud

DEMO_PASSWORD = "demo-parcours-2026"
NOUMEA = ZoneInfo("Pacific/Noumea")

PRESTATAIRES = [
    # code, raison sociale, lot, volume annuel min, max
    ("ALPHA", "Alpha Insertion SARL", 1, 50, 80),
    ("BETA", "Association Beta Emploi", 1, 50, 80),
    ("GAMMA", "Gamma Handi-Parcours", 2, 5, 5),
]

USERS = [
    # username, prénom, nom, rôle, prestataire
    ("admin", "Anne", "Administratrice", Role.ADMINISTRATEUR, None),
    ("conseiller1", "Claire", "Wenceslas", Role.CONSEILLER, None),
    ("conseiller2", "Marc", "Tein", Role.CONSEILLER, None),
    ("ts1", "Sonia", "Wakanumune", Role.TRAVAILLEUR_SOCIAL, None),
    ("commission1", "Paul", "Naisseline", Role.COMMISSION, None),
    ("gestionnaire1", "Hélène", "Gorodey", Role.GESTIONNAIRE, None),
    ("finance1", "Franck", "Ounou", Role.FINANCE, None),
    ("alpha1", "Alice", "Alpha", Role.PRESTATAIRE_DIRECTION, "ALPHA"),
    ("alpha2", "Arnaud", "Kaloi", Role.PRESTATAIRE_CHARGE, "ALPHA"),
    ("beta1", "Bruno", "Beta", Role.PRESTATAIRE_DIRECTION, "BETA"),
    ("gamma1", "Gaëlle", "Gamma", Role.PRESTATAIRE_DIRECTION, "GAMMA"),
]

DEMANDEURS = [
    # nom, prénom, naissance, genre, formation, commune, logement, CRHD
    ("DUPONT", "Marie", date(1990, 4, 12), "F", "bac", "noumea", "autonome", None),
    ("WAMYTAN", "Jean-Pierre", date(1985, 9, 3), "M", "cap_bep", "dumbea", "precaire", None),
    ("TROLUE", "Kévin", date(2001, 2, 28), "M", "sans_diplome", "paita", "famille", None),
    ("LEROUX", "Sandrine", date(1978, 11, 30), "F", "bac_2", "mont_dore", "autonome",
     date(2023, 5, 10)),
    ("HMAE", "Josiane", date(1995, 7, 14), "F", "cap_bep", "noumea", "sans_domicile", None),
    ("NGUYEN", "Thomas", date(1999, 12, 1), "M", "bac", "bourail", "famille", None),
    ("POITHILY", "Aline", date(1988, 3, 22), "F", "sans_diplome", "la_foa", "menace_expulsion",
     None),
    ("SIMUTOGA", "Petelo", date(2003, 6, 5), "M", "sans_diplome", "noumea", "tiers", None),
    ("KAOUMA", "Rose", date(1992, 1, 31), "F", "cap_bep", "noumea", "famille", None),
    ("TEANYOUEN", "Éric", date(1983, 8, 17), "M", "sans_diplome", "paita", "tiers", None),
    ("BOEWA", "Lucie", date(1997, 10, 9), "F", "bac", "dumbea", "autonome", None),
    ("XOWIE", "Marcel", date(1975, 5, 2), "M", "sans_diplome", "mont_dore", "famille", None),
    ("MAPERI", "Stella", date(2000, 12, 24), "F", "bac", "noumea", "autonome", None),
    ("WAIA", "Mathieu", date(1994, 2, 14), "M", "cap_bep", "noumea", "famille", None),
    ("OUNEMOA", "Cindy", date(1998, 8, 8), "F", "bac", "dumbea", "autonome", None),
    ("GOPOEA", "Yannick", date(1986, 12, 3), "M", "sans_diplome", "paita", "tiers", None),
]  # fmt: skip

PRESCRIPTIONS = [
    # demandeur, conseiller, lot, prestataire, binôme, freins, what happens
    ("DUPONT", "conseiller1", 1, "ALPHA", False, ["mobilite", "numerique"], "transmise"),
    ("WAMYTAN", "conseiller1", 1, "BETA", True, ["logement", "qualification"], "transmise"),
    ("TROLUE", "conseiller2", 1, "ALPHA", False, ["projet_non_defini"], "brouillon"),
    ("LEROUX", "conseiller2", 2, "GAMMA", False, ["handicap", "savoir_etre"], "transmise"),
    ("HMAE", "conseiller1", 1, "ALPHA", True, ["logement", "garde_enfants"], "cosignee"),
    ("NGUYEN", "conseiller2", 1, "BETA", False, ["mobilite"], "retiree"),
    (
        "POITHILY",
        "conseiller1",
        1,
        "BETA",
        True,
        ["logement", "ressources_financieres"],
        "renvoyee",
    ),
    ("KAOUMA", "conseiller1", 1, "ALPHA", False, ["garde_enfants"], "transmise"),
    ("TEANYOUEN", "conseiller2", 1, "ALPHA", False, ["mobilite", "qualification"], "transmise"),
    ("BOEWA", "conseiller1", 1, "ALPHA", False, ["projet_non_defini"], "transmise"),
    ("XOWIE", "conseiller2", 1, "ALPHA", False, ["numerique", "savoir_etre"], "transmise"),
    ("MAPERI", "conseiller2", 1, "BETA", False, ["qualification"], "transmise"),
    ("SIMUTOGA", "conseiller1", 1, "BETA", False, ["savoir_etre"], "transmise"),
    ("WAIA", "conseiller1", 1, "ALPHA", False, ["mobilite", "savoir_etre"], "transmise"),
    ("OUNEMOA", "conseiller2", 1, "ALPHA", False, ["numerique"], "transmise"),
    ("GOPOEA", "conseiller1", 1, "ALPHA", False, ["sante", "qualification"], "transmise"),
]

# ALPHA's summer session: three people in parcours since the end of August, whose stipends
# of August and September are reconciled; October's état is declared (one amount is wrong)
# and waits for ALPHA to submit it: the stipend demo path.
SESSION_ETE = date(2026, 8, 11)
ENTREES_ETE = [
    # demandeur, durée validée, entrée, suspension (début, reprise)
    ("WAIA", 7, date(2026, 8, 31), None),
    ("OUNEMOA", 6, date(2026, 9, 1), None),
    ("GOPOEA", 8, date(2026, 9, 15), (date(2026, 10, 20), date(2026, 11, 3))),
]
# Unjustified absence hours declared per month; October's amount paid to OUNEMOA is 1 000 F
# short of what is due, for finance to send back.
ABSENCES = {("WAIA", date(2026, 10, 1)): 4}
ERREUR_DE_VERSEMENT = ("OUNEMOA", date(2026, 10, 1), -1000)

ENTREPRISES = [
    # raison sociale, RIDET, secteur, contact, fonction
    ("Boulangerie du Quartier Latin", "0123456.001", "Boulangerie", "Jacques Tein", "Gérant"),
    ("Transports Calédoniens SARL", "0654321.002", "Logistique", "Sylvie Poédi", "Responsable RH"),
]

# A past commission of ALPHA, its order acknowledged, a withdrawal and its avenant (issued,
# waiting for ALPHA's acknowledgement); a closed BETA session whose order waits to be issued,
# and a BETA session whose agenda is being prepared.
# DUPONT and HMAE (ALPHA) and LEROUX (GAMMA, lot 2) wait for a session: the demo path.
DECISIONS_ALPHA = [
    # demandeur, décision, durée, motif de refus
    ("KAOUMA", Decision.VALIDEE, 6, None),
    ("TEANYOUEN", Decision.VALIDEE, 9, None),
    ("BOEWA", Decision.REFUSEE, None, "projet_non_defini"),
    ("XOWIE", Decision.AJOURNEE, None, None),
]  # fmt: skip


def antidater(bon, *, emis_le, accuse_le):
    """Date an order the demo tells of on the days it was issued and acknowledged, whatever
    day the seed runs: the alert of a parcours not entered, 15 days after the acknowledgement,
    falls when the dashboard says it is due."""
    BonDeCommande.objects.filter(pk=bon.pk).update(emis_le=emis_le, accuse_le=accuse_le)
    Task.objects.filter(
        process__parcours__ligne__bon=bon,
        flow_task=noeud(flux_de(Parcours), "entrer__timeout"),
        status=STATUS.SCHEDULED,
    ).update(scheduled=accuse_le + DELAI_ENTREE)


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent)."

    @transaction.atomic
    def handle(self, **options):
        charger_referentiels()
        self.prestataires()
        self.users = self.utilisateurs()
        demandeurs = self.demandeurs()
        crees = sum(self.prescription(demandeurs, *row) for row in PRESCRIPTIONS)
        # The summer session comes first: orders are numbered in the order they are issued.
        if not SessionCommission.objects.exists():
            self.session_ete()
            self.remunerations()
            self.commissions()
        if not Entreprise.objects.exists():
            self.execution()
        self.stdout.write(
            f"Données de démonstration en place ({crees} prescription(s) créée(s)). "
            f"Mot de passe des comptes : {DEMO_PASSWORD}"
        )

    def prestataires(self):
        for code, raison_sociale, numero, volume_min, volume_max in PRESTATAIRES:
            prestataire, _ = Prestataire.objects.update_or_create(
                code=code, defaults={"raison_sociale": raison_sociale}
            )
            AttributionLot.objects.update_or_create(
                prestataire=prestataire,
                lot=Lot.objects.get(numero=numero),
                date_debut=date(2020, 1, 1),
                defaults={
                    "date_fin": None,
                    "reference_marche": f"Marché DEL 2020-PI lot {numero}",
                    "volume_annuel_min": volume_min,
                    "volume_annuel_max": volume_max,
                },
            )

    def utilisateurs(self):
        users = {}
        for username, prenom, nom, role, code_prestataire in USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": prenom,
                    "last_name": nom,
                    "email": f"{username}@demo.del.nc",
                    "is_staff": role == Role.ADMINISTRATEUR,
                    "prestataire": (
                        Prestataire.objects.get(code=code_prestataire) if code_prestataire else None
                    ),
                },
            )
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.groups.set([Group.objects.get(name=role.value)])
            users[username] = user
        return users

    def demandeurs(self):
        demandeurs = {}
        for nom, prenom, naissance, genre, formation, commune, logement, crhd in DEMANDEURS:
            demandeur, _ = Demandeur.objects.get_or_create(
                cle_doublon=cle_doublon(nom, prenom),
                date_naissance=naissance,
                defaults={
                    "nom": nom,
                    "prenom": prenom,
                    "genre": genre,
                    "niveau_formation": NiveauFormation.objects.get(code=formation),
                    "commune": Commune.objects.get(code=commune),
                    "situation_logement": logement,
                    "reconnaissance_crhd": crhd is not None,
                    "date_reconnaissance_crhd": crhd,
                    "telephone": "+687 27 00 00",
                    "cree_par": self.users["conseiller1"],
                },
            )
            demandeurs[nom] = demandeur
        return demandeurs

    def prescription(self, demandeurs, nom, conseiller, numero, code, binome, freins, issue):
        demandeur = demandeurs[nom]
        if Prescription.objects.filter(demandeur=demandeur).exists():
            return False
        par = self.users[conseiller]
        le = date(2026, 8, 3) if nom in {row[0] for row in ENTREES_ETE} else date(2026, 11, 2)
        prescription = Prescription(
            demandeur=demandeur,
            lot=Lot.objects.get(numero=numero),
            prestataire=Prestataire.objects.get(code=code),
            conseiller=par,
            difficultes_logement=binome,
            travailleur_social=self.users["ts1"] if binome else None,
            motif="Orientation après entretien diagnostic au SEL.",
            resultat_attendu="Projet professionnel validé et accès à un emploi.",
            accord_personne=True,
            date_accord=le,
            date_prescription=le,
        )
        services.prescrire(
            prescription,
            par=par,
            freins=Frein.objects.filter(code__in=freins),
            transmettre=issue not in ("brouillon", "retiree"),
        )
        tache = prescription.process.task_set.filter(flow_task_type="HUMAN", finished__isnull=True)
        ts = self.users["ts1"]
        if issue == "cosignee":
            executer_tache(
                tache.get(), par=ts, action=lambda: services.cosigner(prescription, par=ts)
            )
        elif issue == "renvoyee":
            motif = "Merci de préciser la situation de logement (bail, impayés) avant co-signature."
            executer_tache(
                tache.get(),
                par=ts,
                action=lambda: services.renvoyer(prescription, par=ts, motif=motif),
            )
        elif issue == "retiree":
            executer_tache(
                tache.get(),
                par=par,
                action=lambda: services.retirer(
                    prescription,
                    par=par,
                    motif="La personne a trouvé un emploi avant la commission.",
                ),
            )
        return True

    def ouvrir_session(self, date_seance, code, direction):
        """A lot 1 session for the prestataire `code`, opened by the gestionnaire: the DEL's
        members and the prestataire's direction sit on it."""
        gestionnaire = self.users["gestionnaire1"]
        return services.ouvrir_session(
            SessionCommission(
                date_seance=date_seance,
                lot=Lot.objects.get(numero=1),
                prestataire=Prestataire.objects.get(code=code),
            ),
            par=gestionnaire,
            membres_del=[self.users["commission1"], gestionnaire],
            membres_prestataire=[self.users[direction]],
        )

    def commander(self, session, *, emis_le, accuse_le):
        """The sitting closes; its order is issued, acknowledged by ALPHA, and dated on the
        days the demo tells of."""
        bon = services.cloturer_seance(session, par=self.users["commission1"])
        commandes.emettre(bon, par=self.users["gestionnaire1"])
        commandes.accuser(bon, par=self.users["alpha1"])
        antidater(bon, emis_le=emis_le, accuse_le=accuse_le)
        return bon

    def acteurs(self, *usernames):
        """The demo's users who act in a story, by their usernames."""
        return [self.users[username] for username in usernames]

    def commissions(self):
        gestionnaire, commission, alpha = self.acteurs("gestionnaire1", "commission1", "alpha1")

        def prescription_de(nom):
            return Prescription.objects.get(demandeur__nom=nom)

        session = self.ouvrir_session(date(2026, 11, 10), "ALPHA", "alpha1")
        services.inscrire(
            session, [prescription_de(nom) for nom, *_ in DECISIONS_ALPHA], par=gestionnaire
        )
        services.ouvrir_seance(session, par=gestionnaire)
        for nom, decision, duree, motif in DECISIONS_ALPHA:
            services.decider(
                session.passages.get(prescription__demandeur__nom=nom),
                par=commission,
                decision=decision,
                duree_mois=duree,
                motif_refus=Frein.objects.get(code=motif) if motif else None,
                commentaire=(
                    "Projet professionnel à préciser avec son conseiller avant l'entrée."
                    if decision == Decision.AJOURNEE
                    else ""
                ),
            )
        # The demo order was issued and acknowledged the days after its session, so that
        # KAOUMA's entry, stage and suspension can be dated in the past on the demo path.
        bon = self.commander(
            session,
            emis_le=datetime(2026, 11, 11, 9, tzinfo=NOUMEA),
            accuse_le=datetime(2026, 11, 12, 10, tzinfo=NOUMEA),
        )
        parcours_services.attribuer(
            Parcours.objects.get(demandeur__nom="KAOUMA"), par=alpha, charge=self.users["alpha2"]
        )
        avenant = commandes.desister(
            bon.lignes.get(prescription__demandeur__nom="TEANYOUEN"),
            par=alpha,
            motif="A signé un CDD de 8 mois avant son entrée en parcours.",
        )
        commandes.emettre_avenant(avenant, par=gestionnaire)

        beta_close = self.ouvrir_session(date(2026, 11, 17), "BETA", "beta1")
        services.inscrire(beta_close, [prescription_de("SIMUTOGA")], par=gestionnaire)
        services.ouvrir_seance(beta_close, par=gestionnaire)
        valider = {"decision": Decision.VALIDEE, "duree_mois": 7, "commentaire": ""}
        services.decider(beta_close.passages.get(), par=commission, **valider)
        services.cloturer_seance(beta_close, par=commission)

        beta = self.ouvrir_session(date(2026, 12, 8), "BETA", "beta1")
        services.inscrire(beta, [prescription_de("MAPERI")], par=gestionnaire)

    def execution(self):
        """ALPHA's register of host companies and a collective module open to entries."""
        alpha = Prestataire.objects.get(code="ALPHA")
        noumea = Commune.objects.get(code="noumea")
        for raison_sociale, ridet, secteur, contact, fonction in ENTREPRISES:
            Entreprise.objects.create(
                prestataire=alpha,
                raison_sociale=raison_sociale,
                ridet=ridet,
                secteur=secteur,
                commune=noumea,
                contact_nom=contact,
                contact_fonction=fonction,
                contact_telephone="27 00 00",
            )
        ModuleCollectif.objects.create(
            prestataire=alpha,
            intitule="Atelier techniques de recherche d'emploi",
            debut=date(2026, 11, 16),
            fin=date(2026, 12, 18),
            description="CV, lettre de motivation, préparation aux entretiens, savoir-être.",
            cree_par=self.users["alpha1"],
        )

    def session_ete(self):
        """ALPHA's summer session, its order acknowledged mid-August, its people entered."""
        gestionnaire, commission, alpha = self.acteurs("gestionnaire1", "commission1", "alpha1")
        session = self.ouvrir_session(SESSION_ETE, "ALPHA", "alpha1")
        services.inscrire(
            session,
            [Prescription.objects.get(demandeur__nom=nom) for nom, *_ in ENTREES_ETE],
            par=gestionnaire,
        )
        services.ouvrir_seance(session, par=gestionnaire)
        for nom, duree, _, _ in ENTREES_ETE:
            services.decider(
                session.passages.get(prescription__demandeur__nom=nom),
                par=commission,
                decision=Decision.VALIDEE,
                duree_mois=duree,
                commentaire="",
            )
        self.commander(
            session,
            emis_le=datetime(2026, 8, 12, 9, tzinfo=NOUMEA),
            accuse_le=datetime(2026, 8, 13, 10, tzinfo=NOUMEA),
        )
        for nom, _, entree, suspension in ENTREES_ETE:
            parcours = Parcours.objects.get(demandeur__nom=nom)
            parcours_services.entrer(
                parcours, par=alpha, date_premier_contact=entree, date_entree=entree
            )
            if suspension:
                parcours_services.suspendre(parcours, par=alpha, debut=suspension[0], motif="sante")
                parcours_services.reprendre(parcours, par=alpha, reprise=suspension[1])

    def remunerations(self):
        """August and September reconciled; October declared, waiting to be submitted."""
        alpha, finance = self.users["alpha1"], self.users["finance1"]
        prestataire = Prestataire.objects.get(code="ALPHA")
        for mois in (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)):
            etat = remunerations.ouvrir_etat(prestataire, mois)
            declarations = {}
            for ligne in releve(etat).lignes:
                heures = ABSENCES.get((ligne.nom, mois), 0)
                ligne = calculer(ligne.parcours, mois, Decimal(heures))
                erreur = ERREUR_DE_VERSEMENT
                verse = ligne.montant_du + (erreur[2] if (ligne.nom, mois) == erreur[:2] else 0)
                declarations[cle(ligne)] = {
                    "absences_heures": Decimal(heures),
                    "montant_declare": verse,
                    # What ALPHA says it paid; the application never computes the cover.
                    "cafat_declaree": round(verse * Decimal("0.0645")),
                }
            remunerations.declarer(etat, par=alpha, version=etat.version, declarations=declarations)
            if mois < date(2026, 10, 1):
                remunerations.soumettre(etat, par=alpha)
                remunerations.accepter(etat, par=finance)
