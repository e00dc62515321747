"""The rules of a parcours at the prestataire (docs/domaine.md steps 5 to 8, "Stage en entreprise",
"Sorties"), each named in its test."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from bons_de_commande import services as commandes
from bons_de_commande.models import LigneCommande
from prestataires import services, stages
from prestataires.enums import EtatParcours, EtatStage, TypeFin
from prestataires.forms import EntrepriseForm
from prestataires.models import Entreprise, Parcours, Stage
from prestataires.models.stages import normaliser_ridet
from procurement.calendrier import ajouter_mois
from procurement.models import Prestataire, TypeSortie

from .conftest import a, poster, refuse

pytestmark = pytest.mark.django_db

CLASSES_DE_SORTIE = {  # docs/contrats.md §0
    **dict.fromkeys(
        ["creation_entreprise", "armee", "cdd_plus_6_mois", "cdi", "patente", "ppic"], "ED"
    ),
    **dict.fromkeys(
        [
            "cdd",
            "interim",
            "mi_temps",
            "temps_partiel",
            "saisonnier",
            "non_declare",
            "contrat_aide",
            "apprentissage",
            "formation_qualifiante",
        ],
        "SD",
    ),  # fmt: skip
    **dict.fromkeys(["formation_pre_qualifiante", "retour_vie_tribale", "rescolarisation"], "SP"),
    **dict.fromkeys(["sans_solution", "abandon", "demenagement", "sante", "autre"], ""),
}


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entree, mois, suspendus, fin",
    [
        (date(2026, 3, 3), 7, 0, date(2026, 10, 2)),  # docs/domaine.md's example
        (date(2027, 1, 31), 1, 0, date(2027, 2, 27)),  # no 31 February: last day, minus one
        (date(2028, 1, 31), 1, 0, date(2028, 2, 28)),  # leap year: 29 February, minus one
        (date(2027, 12, 15), 6, 0, date(2028, 6, 14)),  # across the new year
        (date(2027, 1, 20), 8, 14, date(2027, 10, 3)),  # lot 2, moved back by a suspension
    ],
)
def test_fin_prevue_la_veille_du_meme_jour_n_mois_plus_tard_reculee_des_suspensions(
    entree, mois, suspendus, fin
):
    assert services.fin_prevue_du_parcours(entree, mois, suspendus) == fin


@pytest.mark.parametrize(
    "jour, mois, attendu",
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 5, 29), 3, date(2027, 8, 29)),
    ],
)
def test_un_mois_apres_est_le_meme_jour_ou_le_dernier_du_mois(jour, mois, attendu):
    assert ajouter_mois(jour, mois) == attendu


# --- Entry ----------------------------------------------------------------------------------


def test_entree_fixe_la_fin_prevue_sur_la_duree_validee(demo, kaouma):
    with a("2026-11-30"):
        services.entrer(kaouma, par=demo["alpha2"], date_premier_contact=date(2026, 11, 13),
                    date_entree=date(2026, 11, 30))  # fmt: skip
    kaouma.refresh_from_db()
    assert kaouma.fin_prevue == date(2027, 5, 29)
    assert Task.objects.get(process=kaouma.process, flow_task__endswith=".entrer").status == (
        STATUS.DONE
    )


@pytest.mark.parametrize(
    "contact, entree, champ, message",
    [
        ("2026-11-20", "2026-11-18", "date_premier_contact", "ne peut pas suivre l&#x27;entrée"),
        ("2026-11-10", "2026-11-11", "date_entree", "précéder la commande du parcours (12/11"),
        ("2026-11-20", "2026-11-25", "date_entree", "dans le futur"),
    ],
)
def test_entree_refusee_avant_la_commande_apres_aujourd_hui_ou_avant_le_premier_contact(
    client, demo, kaouma, contact, entree, champ, message
):
    client.force_login(demo["alpha2"])
    with a("2026-11-24"):
        page = refuse(client, kaouma.get_absolute_url(), action="entrer",
                      date_premier_contact=contact, date_entree=entree)  # fmt: skip
    assert message in page
    kaouma.refresh_from_db()
    assert (kaouma.etat, kaouma.date_entree) == (EtatParcours.ATTENTE_ENTREE, None)


def test_entree_du_jour_a_noumea_quand_utc_est_encore_la_veille(client, demo, kaouma):
    """00:30 on 17/11 in Nouméa is 13:30 on 16/11 UTC: the 17th is today, not the future."""
    client.force_login(demo["alpha2"])
    with a("2026-11-17", heure=0):
        poster(client, kaouma.get_absolute_url(), action="entrer",
               date_premier_contact="2026-11-17", date_entree="2026-11-17")  # fmt: skip
    kaouma.refresh_from_db()
    assert kaouma.date_entree == date(2026, 11, 17)


def test_lot_2_dure_8_mois(demo, parcours_lot2):
    assert parcours_lot2.duree_mois == 8
    with a("2026-11-20"):
        services.entrer(parcours_lot2, par=demo["gamma1"], date_premier_contact=date(2026, 11, 20),
                    date_entree=date(2026, 11, 20))  # fmt: skip
    parcours_lot2.refresh_from_db()
    assert parcours_lot2.fin_prevue == date(2027, 7, 19)


def test_desistement_refuse_apres_l_entree(demo, kaouma):
    with a("2026-11-16"):
        services.entrer(kaouma, par=demo["alpha2"], date_premier_contact=date(2026, 11, 16),
                    date_entree=date(2026, 11, 16))  # fmt: skip
        with pytest.raises(ValidationError, match="sortie anticipée ou une rupture"):
            commandes.desister(LigneCommande.objects.get(parcours=kaouma), par=demo["alpha1"],
                          motif="Trouvé un emploi")  # fmt: skip
    kaouma.refresh_from_db()
    assert kaouma.etat == EtatParcours.EN_COURS


# --- A running parcours ----------------------------------------------------------------------


@pytest.fixture
def en_cours(demo, kaouma):
    """KAOUMA entered on 16/11/2026: planned end 15/05/2027."""
    with a("2026-11-16"):
        services.entrer(kaouma, par=demo["alpha2"], date_premier_contact=date(2026, 11, 13),
                    date_entree=date(2026, 11, 16))  # fmt: skip
    kaouma.refresh_from_db()
    return kaouma


def stage_de(parcours, par, debut=date(2026, 12, 7), fin=date(2026, 12, 18)):
    return stages.preparer_stage(
        parcours, par=par, entreprise=Entreprise.objects.filter(prestataire__code="ALPHA")[0],
        objet="decouvrir", objectifs="Découvrir la vente", tuteur_nom="J. Tein", debut=debut,
        fin=fin, heures_hebdo=35, activites_competences="Vente", criteres_evaluation="Assiduité",
    )  # fmt: skip


def stage_termine(parcours, par):
    with a("2026-12-01"):
        stage = stage_de(parcours, par)
        stages.cocher_verifications(stage, par=par, conditions_accueil=True, convention=True)
        stages.verifier_stage(stage, par=par, verifie_le=date(2026, 12, 1))
    with a("2026-12-07"):
        stages.demarrer_stage(stage, par=par)
    with a("2026-12-18"):
        stages.terminer_stage(stage, par=par, termine_le=date(2026, 12, 18), bilan="Bien",
                              rapport="Projet confirmé")  # fmt: skip
    stage.refresh_from_db()
    return stage


@pytest.mark.parametrize(
    "debut, fin, champ",
    [
        (date(2026, 11, 10), date(2026, 11, 20), "debut"),  # before the entry
        (date(2027, 5, 10), date(2027, 5, 20), "fin"),  # after the planned end (15/05/2027)
    ],
)
def test_un_stage_ne_sort_pas_du_parcours(client, demo, en_cours, debut, fin, champ):
    client.force_login(demo["alpha2"])
    with a("2026-11-20"):
        reponse = client.post(reverse("parcours:stage_add", args=[en_cours.pk]), {
            "entreprise": Entreprise.objects.filter(prestataire__code="ALPHA")[0].pk,
            "objet": "decouvrir", "objectifs": "x", "tuteur_nom": "y", "debut": debut,
            "fin": fin, "heures_hebdo": 35, "activites_competences": "a",
            "criteres_evaluation": "b",
        })  # fmt: skip
    assert reponse.status_code == 200
    assert reponse.context["form"].errors[champ]
    assert not Stage.objects.exists()


def test_un_stage_ne_demarre_pas_avant_ses_verifications(demo, en_cours):
    alpha2 = demo["alpha2"]
    with a("2026-12-09"):
        stage = stage_de(en_cours, alpha2)
        with pytest.raises(ValidationError, match="avant ses vérifications"):
            stages.demarrer_stage(stage, par=alpha2)
        with pytest.raises(ValidationError, match="Vérification incomplète"):
            stages.verifier_stage(stage, par=alpha2, verifie_le=date(2026, 12, 6))
        stages.cocher_verifications(stage, par=alpha2, conditions_accueil=True, convention=True)
        with pytest.raises(ValidationError, match="avant le stage"):
            stages.verifier_stage(stage, par=alpha2, verifie_le=date(2026, 12, 8))
        stages.verifier_stage(stage, par=alpha2, verifie_le=date(2026, 12, 6))
        with pytest.raises(ValidationError, match="ne se modifie plus"):
            stages.modifier_stage(stage, par=alpha2, debut=date(2026, 12, 8),
                                  fin=date(2026, 12, 18))  # fmt: skip
        stages.demarrer_stage(stage, par=alpha2)
    stage.refresh_from_db()
    assert stage.etat == EtatStage.EN_COURS


def test_un_stage_se_termine_avec_son_bilan_et_son_rapport(demo, en_cours):
    alpha2 = demo["alpha2"]
    stage = stage_termine(en_cours, alpha2)
    assert stage.etat == EtatStage.TERMINE
    with a("2026-12-20"):
        autre = stage_de(en_cours, alpha2, debut=date(2027, 1, 4), fin=date(2027, 1, 8))
        with pytest.raises(ValidationError, match="Seul un stage en cours"):
            stages.terminer_stage(autre, par=alpha2, termine_le=date(2027, 1, 8), bilan="",
                                  rapport="")  # fmt: skip


# --- Suspension ------------------------------------------------------------------------------


def test_suspension_a_cheval_sur_deux_mois_recule_la_fin_prevue(demo, en_cours):
    alpha2 = demo["alpha2"]
    with a("2027-01-25"):
        services.suspendre(en_cours, par=alpha2, debut=date(2027, 1, 25), motif="sante")
    en_cours.refresh_from_db()
    assert en_cours.etat == EtatParcours.SUSPENDU
    with a("2027-02-08"):
        with pytest.raises(ValidationError, match="suivre le début de la suspension"):
            services.reprendre(en_cours, par=alpha2, reprise=date(2027, 1, 25))
        services.reprendre(en_cours, par=alpha2, reprise=date(2027, 2, 8))
    en_cours.refresh_from_db()
    assert en_cours.etat == EtatParcours.EN_COURS
    assert en_cours.fin_prevue == date(2027, 5, 29)  # 15/05 + 14 days
    with a("2027-02-10"), pytest.raises(ValidationError, match="avant la dernière reprise"):
        services.suspendre(en_cours, par=alpha2, debut=date(2027, 2, 1), motif="famille")


# --- Exit ------------------------------------------------------------------------------------


def sortie(type_fin=TypeFin.RUPTURE_STAGIAIRE, code="cdd", **autres):
    return {
        "type_fin": type_fin,
        "type_sortie": TypeSortie.objects.get(code=code),
        "motif_sortie": "A trouvé un emploi",
        "difficultes": "Garde d'enfants",
        "preconisations": "Crèche",
        **autres,
    }


def test_pas_de_parcours_mene_a_terme_sans_stage_termine(demo, en_cours):
    with a("2027-05-15"), pytest.raises(ValidationError) as refus:
        services.sortir(en_cours, par=demo["alpha2"], date_sortie=date(2027, 5, 15),
                    **sortie(TypeFin.TERME, "cdi"))  # fmt: skip
    assert "sans au moins un stage" in str(refus.value.message_dict["type_fin"])
    en_cours.refresh_from_db()
    assert en_cours.etat == EtatParcours.EN_COURS


def test_terme_pas_avant_la_fin_prevue(demo, en_cours):
    stage_termine(en_cours, demo["alpha2"])
    with a("2027-05-14"), pytest.raises(ValidationError) as refus:
        services.sortir(en_cours, par=demo["alpha2"], date_sortie=date(2027, 5, 14),
                    **sortie(TypeFin.TERME, "cdi"))  # fmt: skip
    assert "sortie anticipée" in refus.value.message_dict["date_sortie"][0]


def test_une_rupture_ne_demande_pas_de_stage_mais_ses_difficultes_et_preconisations(
    client, demo, en_cours
):
    client.force_login(demo["alpha2"])
    with a("2027-01-10"):
        page = refuse(client, en_cours.get_absolute_url(), action="sortir", **{
            "sortie-date_sortie": "2027-01-10", "sortie-type_fin": "rupture_structure",
            "sortie-type_sortie": TypeSortie.objects.get(code="abandon").pk,
        })  # fmt: skip
        assert "précisez les difficultés rencontrées" in page
        assert "précisez les préconisations" in page
        poster(client, en_cours.get_absolute_url(), action="sortir", confirme="1", **{
            "sortie-date_sortie": "2027-01-10", "sortie-type_fin": "rupture_structure",
            "sortie-type_sortie": TypeSortie.objects.get(code="abandon").pk,
            "sortie-motif_sortie": "Absences répétées", "sortie-difficultes": "Transport",
            "sortie-preconisations": "Permis de conduire",
        })  # fmt: skip
    en_cours.refresh_from_db()
    # No positive exit: no maintien, the parcours ends.
    assert (en_cours.etat, en_cours.classe_sortie) == (EtatParcours.TERMINE, "")
    assert en_cours.process.status == "DONE"


def test_sortie_pas_avant_l_entree(demo, en_cours):
    with a("2027-01-10"), pytest.raises(ValidationError) as refus:
        services.sortir(en_cours, par=demo["alpha2"], date_sortie=date(2026, 11, 15), **sortie())
    assert "précéder l'entrée" in refus.value.message_dict["date_sortie"][0]


def test_classe_de_sortie_derivee_de_chaque_type_de_sortie(demo):
    assert set(TypeSortie.objects.values_list("code", flat=True)) == set(CLASSES_DE_SORTIE)
    for type_sortie in TypeSortie.objects.all():
        parcours = Parcours(type_sortie=type_sortie)
        assert parcours.classe_sortie == CLASSES_DE_SORTIE[type_sortie.code], type_sortie.code
    assert Parcours().classe_sortie == ""


@pytest.mark.parametrize(
    "code, etat", [("cdi", "maintien"), ("interim", "maintien"), ("rescolarisation", "maintien"),
                   ("demenagement", "termine")],
)  # fmt: skip
def test_une_sortie_positive_ouvre_3_mois_de_maintien(demo, en_cours, code, etat):
    with a("2027-01-31"):
        services.sortir(
            en_cours, par=demo["alpha2"], date_sortie=date(2027, 1, 31), **sortie(code=code)
        )
    en_cours.refresh_from_db()
    assert en_cours.etat == etat
    assert en_cours.fin_maintien == (date(2027, 4, 30) if etat == "maintien" else None)


def test_sortie_d_un_parcours_suspendu_clot_la_suspension(demo, en_cours):
    with a("2027-01-05"):
        services.suspendre(en_cours, par=demo["alpha2"], debut=date(2027, 1, 5), motif="sante")
    with a("2027-02-01"):
        services.sortir(en_cours, par=demo["alpha2"], date_sortie=date(2027, 2, 1),
                    **sortie(code="sante"))  # fmt: skip
    assert en_cours.suspensions.get().fin == date(2027, 2, 1)


# --- Nothing after closure, maintien ----------------------------------------------------------


def test_aucun_evenement_apres_la_cloture(demo, en_cours):
    alpha2 = demo["alpha2"]
    with a("2027-01-10"):
        services.sortir(
            en_cours, par=alpha2, date_sortie=date(2027, 1, 10), **sortie(code="abandon")
        )
        for action in (
            lambda: services.noter_rendez_vous(en_cours, par=alpha2, date=date(2027, 1, 10),
                                               nature="individuel", objet="x"),
            lambda: services.ajouter_action(en_cours, par=alpha2, etape=1, intitule="x",
                                            echeance=date(2027, 2, 1)),
            lambda: services.evaluer(en_cours, par=alpha2, moment="sortie", date=date(2027, 1, 10),
                                     projet=1, freins=1, engagement=1, savoir_etre=1),
            lambda: services._suspendre(en_cours, par=alpha2, debut=date(2027, 1, 10),
                                       motif="sante"),
            lambda: stage_de(en_cours, alpha2),
        ):  # fmt: skip
            with pytest.raises(ValidationError):
                action()
    assert not en_cours.rendez_vous.exists() and not en_cours.evaluations.exists()


def test_evenement_date_apres_la_sortie_refuse_pendant_le_maintien(demo, en_cours):
    alpha2 = demo["alpha2"]
    with a("2027-01-31"):
        services.sortir(en_cours, par=alpha2, date_sortie=date(2027, 1, 20), **sortie(code="cdi"))
        with pytest.raises(ValidationError, match="suit la sortie"):
            services.evaluer(en_cours, par=alpha2, moment="sortie", date=date(2027, 1, 25),
                             projet=3, freins=3, engagement=3, savoir_etre=3)  # fmt: skip
        services.evaluer(en_cours, par=alpha2, moment="sortie", date=date(2027, 1, 20),
                         projet=3, freins=3, engagement=3, savoir_etre=3)  # fmt: skip
        with pytest.raises(ValidationError):
            services.evaluer(en_cours, par=alpha2, moment="sortie", date=date(2027, 1, 20),
                             projet=3, freins=3, engagement=3, savoir_etre=3)  # fmt: skip


def test_le_prestataire_clot_le_maintien_avant_3_mois(demo, en_cours):
    alpha2 = demo["alpha2"]
    with a("2027-01-31"):
        services.sortir(en_cours, par=alpha2, date_sortie=date(2027, 1, 31), **sortie(code="cdi"))
    with a("2027-03-15"):
        with pytest.raises(ValidationError):
            services.noter_contact_maintien(en_cours, par=alpha2, date=date(2027, 1, 30),
                                            nature="regulation", compte_rendu="x")  # fmt: skip
        services.noter_contact_maintien(en_cours, par=alpha2, date=date(2027, 3, 1),
                                        nature="regulation", compte_rendu="En poste")  # fmt: skip
        services.clore_maintien(en_cours, par=alpha2, motif="Personne injoignable")
    en_cours.refresh_from_db()
    assert (en_cours.etat, en_cours.maintien_clos_le) == (EtatParcours.TERMINE, date(2027, 3, 15))
    assert en_cours.process.status == "DONE"
    with a("2027-03-16"), pytest.raises(ValidationError):
        services.noter_contact_maintien(en_cours, par=alpha2, date=date(2027, 3, 16),
                                        nature="regulation", compte_rendu="x")  # fmt: skip


def test_une_seule_evaluation_d_entree_sur_une_echelle_de_1_a_4(client, demo, en_cours):
    client.force_login(demo["alpha2"])
    donnees = {"evaluation-moment": "entree", "evaluation-date": "2026-11-16",
               "evaluation-projet": 2, "evaluation-freins": 2, "evaluation-engagement": 2,
               "evaluation-savoir_etre": 5}  # fmt: skip
    with a("2026-11-20"):
        refuse(client, en_cours.get_absolute_url(), action="evaluer", **donnees)
        poster(client, en_cours.get_absolute_url(), action="evaluer",
               **{**donnees, "evaluation-savoir_etre": 4})  # fmt: skip
        page = refuse(client, en_cours.get_absolute_url(), action="evaluer",
                      **{**donnees, "evaluation-savoir_etre": 4})  # fmt: skip
    assert "existe déjà" in page
    assert en_cours.evaluations.count() == 1


# --- Register of host companies ---------------------------------------------------------------


def test_ridet_normalise_et_unique_dans_le_repertoire(demo):
    assert normaliser_ridet("123456 001") == "0123456.001"
    with pytest.raises(ValidationError, match="RIDET"):
        normaliser_ridet("12-34")
    form = EntrepriseForm(
        {"raison_sociale": "Autre boulangerie", "ridet": "0123456001", "contact_nom": "X"},
        prestataire=Prestataire.objects.get(code="ALPHA"),
    )
    assert "déjà au répertoire" in form.errors["ridet"][0]
    beta = EntrepriseForm(
        {"raison_sociale": "Autre boulangerie", "ridet": "0123456001", "contact_nom": "X"},
        prestataire=Prestataire.objects.get(code="BETA"),
    )
    assert beta.is_valid()


def test_le_bon_de_commande_se_cloture_quand_tous_ses_parcours_sont_finis(demo, en_cours):
    bon = en_cours.ligne.bon
    gestionnaire = demo["gestionnaire1"]
    with pytest.raises(ValidationError, match="encore 1 parcours"):
        commandes.cloturer(bon, par=gestionnaire)  # KAOUMA runs (TEANYOUEN withdrew)
    with a("2027-01-10"):
        services.sortir(en_cours, par=demo["alpha2"], date_sortie=date(2027, 1, 10),
                    **sortie(code="abandon"))  # fmt: skip
    commandes.cloturer(bon, par=gestionnaire)
    bon.refresh_from_db()
    assert bon.etat == "cloture"


def test_une_suspension_qui_atteint_6_mois_alerte_le_conseiller_referent(demo, en_cours):
    from viewflow.workflow.timers import fire_due_timers

    from workflows.models import Notification

    alerte = {"message__contains": "suspendu depuis 6 mois"}
    with a("2027-01-31"):
        services.suspendre(en_cours, par=demo["alpha2"], debut=date(2027, 1, 31), motif="sante")
    with a("2027-07-30", heure=23):  # 31/01 + 6 months is 31/07
        fire_due_timers()
    assert not Notification.objects.filter(**alerte).exists()
    with a("2027-07-31", heure=0):
        fire_due_timers()
    notification = Notification.objects.get(**alerte)
    assert notification.destinataire == demo["conseiller1"]
    # The alert does not end the suspension: the prestataire resumes, the parcours goes on.
    with a("2027-08-02"):
        services.reprendre(en_cours, par=demo["alpha2"], reprise=date(2027, 8, 2))
    en_cours.refresh_from_db()
    assert en_cours.etat == EtatParcours.EN_COURS
    assert en_cours.fin_prevue == date(2027, 5, 15) + (date(2027, 8, 2) - date(2027, 1, 31))
    with a("2027-08-03"):
        services.suspendre(en_cours, par=demo["alpha2"], debut=date(2027, 8, 3), motif="famille")
    with a("2027-08-20"):
        services.sortir(en_cours, par=demo["alpha2"], date_sortie=date(2027, 8, 20),
                    **sortie(code="sante"))  # fmt: skip
    en_cours.refresh_from_db()
    assert en_cours.etat == EtatParcours.TERMINE
    assert en_cours.process.status == "DONE"
    with a("2028-03-01"):
        fire_due_timers()  # the second suspension's timer was cancelled with its step
    assert Notification.objects.filter(**alerte).count() == 1


def test_la_sortie_annule_les_stages_non_commences_par_leur_transition(demo, en_cours):
    from workflows.history import historique

    with a("2026-12-01"):
        stage = stage_de(en_cours, demo["alpha2"])
        services.sortir(en_cours, par=demo["alpha2"], date_sortie=date(2026, 12, 1),
                    **sortie(code="abandon"))  # fmt: skip
    stage.refresh_from_db()
    assert stage.etat == EtatStage.ANNULE
    (annulation,) = historique(stage)
    assert (annulation.nom, annulation.par) == ("annuler", demo["alpha2"])


def test_un_stage_qui_finit_avant_de_commencer_est_refuse_en_francais_sur_sa_fin(
    client, demo, en_cours
):
    """Issue 18, item 4: the message named the database constraint ("La contrainte
    « stage_fin_apres_debut » n'est pas respectée")."""
    client.force_login(demo["alpha2"])
    with a("2026-11-20"):
        reponse = client.post(reverse("parcours:stage_add", args=[en_cours.pk]), {
            "entreprise": Entreprise.objects.filter(prestataire__code="ALPHA")[0].pk,
            "objet": "decouvrir", "objectifs": "x", "tuteur_nom": "y",
            "debut": date(2026, 12, 20), "fin": date(2026, 12, 10), "heures_hebdo": 35,
            "activites_competences": "a", "criteres_evaluation": "b",
        })  # fmt: skip
    assert reponse.status_code == 200
    assert reponse.context["form"].errors["fin"] == ["La fin du stage précède son début."]
    assert "stage_fin_apres_debut" not in reponse.content.decode()
    assert not Stage.objects.exists()


def test_preparer_un_stage_verrouille_le_parcours_dans_sa_propre_transaction(
    demo, en_cours, monkeypatch
):
    """The page calls preparer_stage outside any transaction: its lock on the parcours
    (select_for_update, which PostgreSQL refuses outside one) needs a transaction of its own,
    held until the stage is written."""
    from django.db import connection

    profondeurs = []
    creer = Stage.objects.create

    def creer_en_notant(**champs):
        profondeurs.append(len(connection.atomic_blocks))
        return creer(**champs)

    monkeypatch.setattr(Stage.objects, "create", creer_en_notant)
    dehors = len(connection.atomic_blocks)
    with a("2026-12-01"):
        stage_de(en_cours, demo["alpha2"])
    assert profondeurs == [dehors + 1]
