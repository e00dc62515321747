from django.urls import path

from workflows.pages import Rubrique

from . import views

applications = [
    Rubrique(
        app_name="accueil",
        title="Accueil",
        icon="home",
        urlpatterns=[
            path("", views.AccueilView.as_view(), name="index"),
            path("taches/", views.TachesView.as_view(), name="taches"),
            path(
                "notifications/<int:pk>/lue/",
                views.NotificationLueView.as_view(),
                name="notification_lue",
            ),
        ],
    ),
]
