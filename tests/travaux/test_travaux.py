"""Issue 17, long work in the background: a job queued in the database, run by a worker, its
progress read from the database by its page, its end (a report, a file, or a French message
when it failed, having written nothing); a user reaches his own jobs only."""

from io import StringIO
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from prestataires.models import Parcours
from procurement.models import Prescription
from reporting.importation.ecriture import Ecriture
from reporting.models import ImportParcours
from tests.prestataires.conftest import a
from tests.reporting.historique import en_csv, photo, session_ete_2024
from tests.travaux.conftest import deposer, faire_tourner_le_worker
from travaux import taches
from travaux.models import Etat, Travail
from travaux.receivers import MESSAGE_INATTENDU, travail_interrompu

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("le_jour_de_l_import")]

RAFRAICHIR = '<meta name="rafraichir" content="2">'


def test_un_import_en_arriere_plan_suivi_jusqu_a_sa_fin(demo, client, file_en_base, monkeypatch):
    """The check, then the confirmed import, each queued in the database and run by the worker;
    the progress the import reports is in the database, read by the job's page while it runs."""
    client.force_login(demo["gestionnaire1"])
    avant = photo()
    reponse = deposer(client, en_csv(session_ete_2024()))
    relecture = Travail.objects.get()
    assert reponse.url == reverse("travaux:detail", args=[relecture.pk])
    # Queued, not run: the request only recorded the job and its file.
    assert relecture.etat == Etat.EN_ATTENTE and bytes(relecture.fichier).startswith(b"reference")
    tache = DBTaskResult.objects.get()
    assert str(tache.id) == relecture.tache_id and tache.status == TaskResultStatus.READY
    assert tache.args_kwargs == {"args": [relecture.pk], "kwargs": {}}
    page = client.get(reverse("travaux:detail", args=[relecture.pk])).content.decode()
    assert "En attente d'un exécutant" in page and RAFRAICHIR in page
    assert photo() == avant and not ImportParcours.objects.exists()

    # Each progress the import reports, as the database holds it then, and the page then.
    vus, pages = [], []
    ecrire = taches.Progression.__call__

    def suivre(progression, etape, faites, total):
        ecrire(progression, etape, faites, total)
        travail = Travail.objects.get(pk=progression.travail.pk)
        vus.append((travail.etat, travail.etape, travail.faites, travail.total))
        pages.append(client.get(reverse("travaux:detail", args=[travail.pk])).content.decode())

    monkeypatch.setattr(taches.Progression, "__call__", suivre)
    faire_tourner_le_worker()
    assert vus[0] == (Etat.EN_COURS, "verification", 0, 6)
    assert vus[-1] == (Etat.EN_COURS, "verification", 6, 6)
    assert all(etat == Etat.EN_COURS and total == 6 for etat, _, _, total in vus)
    assert '<progress value="0" max="6">' in pages[0] and RAFRAICHIR in pages[0]
    assert "Vérification des lignes : 0 sur 6 lignes" in pages[0]
    relecture.refresh_from_db()
    assert relecture.etat == Etat.TERMINE and relecture.rapport["crees"] == 6
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    page = client.get(reverse("travaux:detail", args=[relecture.pk])).content.decode()
    assert "6 à créer" in page and "Importer ces 6 lignes" in page
    assert RAFRAICHIR not in page and "<progress" not in page
    assert list(ImportParcours.objects.values_list("essai", flat=True)) == [True]

    vus.clear()
    reponse = client.post(
        reverse("imports:confirmer"),
        {"travail": relecture.pk, "empreinte": relecture.rapport["empreinte"]},
    )
    import_ = Travail.objects.get(source=relecture)
    assert reponse.url == import_.get_absolute_url() and import_.etat == Etat.EN_ATTENTE
    assert not Prescription.objects.filter(importee=True).exists()
    faire_tourner_le_worker()
    assert [v[1:] for v in vus][0] == ("verification", 0, 6)
    # One batch of 6 rows: checked, then written.
    assert [v[1:] for v in vus][-2:] == [("verification", 6, 6), ("ecriture", 6, 6)]
    import_.refresh_from_db()
    assert import_.etat == Etat.TERMINE and import_.fichier is None
    assert Prescription.objects.filter(importee=True).count() == 6
    assert Parcours.objects.filter(ligne__prescription__importee=True).exists()
    page = client.get(import_.get_absolute_url()).content.decode()
    assert "Import de suivi.csv : 6 lignes ; créées : 6" in page


def test_une_tache_qui_echoue_le_dit_a_son_utilisateur_et_n_ecrit_rien(
    demo, client, file_en_base, monkeypatch
):
    """The import fails after writing part of its rows: its transaction is rolled back
    (nothing imported, nothing journaled), the job says so in French, the queue keeps the
    traceback for the administrator."""
    client.force_login(demo["gestionnaire1"])
    deposer(client, en_csv(session_ete_2024()))
    faire_tourner_le_worker()
    relecture = Travail.objects.get()
    avant = photo()
    ecrire = Ecriture.ecrire

    def ecrire_puis_tomber(ecriture, *paquet):
        ecrire(ecriture, *paquet)
        assert Prescription.objects.filter(importee=True).count() == 6  # written, then...
        raise RuntimeError("disque plein")

    monkeypatch.setattr(Ecriture, "ecrire", ecrire_puis_tomber)
    client.post(
        reverse("imports:confirmer"),
        {"travail": relecture.pk, "empreinte": relecture.rapport["empreinte"]},
    )
    faire_tourner_le_worker()
    import_ = Travail.objects.get(source=relecture)
    assert import_.etat == Etat.ECHOUE and import_.message == MESSAGE_INATTENDU
    assert import_.fichier is None
    assert photo() == avant
    assert not Prescription.objects.filter(importee=True).exists()
    assert not ImportParcours.objects.filter(essai=False).exists()
    tache = DBTaskResult.objects.get(id=import_.tache_id)
    assert tache.status == TaskResultStatus.FAILED and "disque plein" in tache.traceback
    page = client.get(import_.get_absolute_url()).content.decode()
    assert "Une erreur inattendue a interrompu ce travail : rien n&#x27;a été écrit." in page
    assert "Échoué" in page and RAFRAICHIR not in page
    liste = client.get(reverse("travaux:index")).content.decode()
    assert '<span class="del-retard">Échoué</span>' in liste


def test_un_fichier_illisible_fait_echouer_la_relecture_avec_son_message(
    demo, client, file_en_base
):
    client.force_login(demo["gestionnaire1"])
    deposer(client, "reference;nom\nH;É\n".encode("latin-1"))
    faire_tourner_le_worker()
    travail = Travail.objects.get()
    assert travail.etat == Etat.ECHOUE and travail.fichier is None
    assert travail.message == (
        "Le fichier n'est pas en UTF-8 : enregistrez-le au format « CSV UTF-8 »."
    )
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL  # handled
    assert not ImportParcours.objects.exists()


def test_une_tache_morte_hors_de_son_travail_le_marque_echoue(demo):
    """A task that failed where the job could not say why (a worker killed, an error before
    the job started): the queue's end marks the job failed rather than waiting for ever."""
    travail = Travail.objects.create(
        par=demo["gestionnaire1"], libelle="Export", fonction="x", tache_id="abc"
    )
    travail_interrompu(
        sender=None, task_result=SimpleNamespace(id="abc", status=TaskResultStatus.FAILED)
    )
    travail.refresh_from_db()
    assert travail.etat == Etat.ECHOUE and travail.message == MESSAGE_INATTENDU


def test_un_travail_n_est_visible_que_de_son_utilisateur(demo, client):
    """Another user, even one allowed to import, gets 404 on the job, its file and sees none
    of it in his « Mes travaux »."""
    client.force_login(demo["gestionnaire1"])
    deposer(client, en_csv(session_ete_2024()))
    travail = Travail.objects.get()
    Travail.objects.filter(pk=travail.pk).update(resultat=b"x", resultat_nom="x.csv")
    assert client.get(reverse("travaux:fichier", args=[travail.pk])).status_code == 200
    assert "Relecture de suivi.csv" in client.get(reverse("travaux:index")).content.decode()
    for username in ("admin", "alpha1", "conseiller1"):
        client.force_login(demo[username])
        assert client.get(reverse("travaux:detail", args=[travail.pk])).status_code == 404
        assert client.get(reverse("travaux:fichier", args=[travail.pk])).status_code == 404
        page = client.get(reverse("travaux:index"))
        assert page.status_code == 200 and list(page.context["travaux"]) == []
        assert "Aucun travail." in page.content.decode()


def test_un_utilisateur_qui_a_perdu_la_permission_ne_lit_plus_son_travail(demo, client):
    gestionnaire = demo["gestionnaire1"]
    travail = Travail.objects.create(
        par=gestionnaire,
        libelle="Export",
        fonction="x",
        permission="reporting.importer_parcours",
        etat=Etat.TERMINE,
        resultat=b"x",
        resultat_nom="x.csv",
    )
    client.force_login(gestionnaire)
    assert client.get(travail.get_absolute_url()).status_code == 200
    Travail.objects.filter(pk=travail.pk).update(permission="reporting.nulle_part")
    assert client.get(travail.get_absolute_url()).status_code == 403
    assert client.get(reverse("travaux:fichier", args=[travail.pk])).status_code == 403


def test_mes_travaux_en_un_nombre_constant_de_requetes(demo, client):
    """The list reads neither the files nor anything per job."""
    user = demo["gestionnaire1"]
    client.force_login(user)

    def creer(nombre):
        Travail.objects.bulk_create(
            Travail(par=user, libelle=f"Export {n}", fonction="x", fichier=b"x" * 1000)
            for n in range(nombre)
        )

    def compter():
        client.get(reverse("travaux:index"))
        with CaptureQueriesContext(connection) as requetes:
            page = client.get(reverse("travaux:index"))
        colonnes = [q["sql"].split("FROM")[0] for q in requetes.captured_queries]
        assert not any('."fichier"' in c or '."resultat"' in c for c in colonnes)
        return len(requetes.captured_queries), len(page.context["travaux"])

    creer(3)
    avant = compter()
    creer(6)
    apres = compter()
    assert (avant[1], apres[1]) == (3, 9)
    assert apres[0] == avant[0]
    # Jobs still running: the list refreshes itself until they end.
    assert RAFRAICHIR in client.get(reverse("travaux:index")).content.decode()
    Travail.objects.update(etat=Etat.TERMINE)
    assert RAFRAICHIR not in client.get(reverse("travaux:index")).content.decode()


def test_les_travaux_anciens_sont_purges_avec_leurs_fichiers(demo, file_en_base):
    """`purger_travaux`: the jobs ended more than 30 days ago go, with the queue's records;
    recent ones and those not ended stay."""
    user = demo["gestionnaire1"]
    with a("2026-10-01"):
        ancien = taches.lancer(user, _rien, "Ancien")
        en_attente = Travail.objects.create(par=user, libelle="En attente", fonction="x")
        faire_tourner_le_worker()
    with a("2026-11-20"):
        recent = taches.lancer(user, _rien, "Récent")
        faire_tourner_le_worker()
    assert DBTaskResult.objects.count() == 2
    sortie = StringIO()
    with a("2026-11-24"):
        call_command("purger_travaux", stdout=sortie)
    assert sortie.getvalue() == "1 travail supprimé (terminés avant le 25/10/2026).\n"
    assert set(Travail.objects.all()) == {en_attente, recent}
    assert [str(i) for i in DBTaskResult.objects.values_list("id", flat=True)] == [recent.tache_id]
    assert not Travail.objects.filter(pk=ancien.pk).exists()


@taches.travail_de_fond
def _rien(travail, progression):
    travail.resultat, travail.resultat_nom = b"x", "x.csv"


def test_un_travail_qui_ne_peut_etre_mis_en_file_n_est_pas_enregistre(demo, file_en_base):
    """The job and its task are written together: a queue that refuses the task leaves no
    job waiting for ever."""
    with (
        mock.patch.object(DatabaseBackend, "enqueue", side_effect=RuntimeError("file pleine")),
        pytest.raises(RuntimeError),
    ):
        taches.lancer(demo["gestionnaire1"], _rien, "Export")
    assert not Travail.objects.exists() and not DBTaskResult.objects.exists()
