"""The site's menu: its entries grouped under headings that say what each group is for.

Each user sees an entry when he may open its page (the entry's own permission, as its views
check it) and a heading when he sees one of its entries at least; so every role reads a menu of
what it does. The processes' technical pages (viewflow's lists, charts, inbox) are grouped last
and shown only to those who supervise them (workflows.viewsets.supervise_les_processus).
"""

from django.core.exceptions import ImproperlyConfigured
from viewflow.urls import Site


class Groupe:
    """A heading of the menu and its entries (the site's applications), shown to whoever sees
    one of them and, when `reserve_a` is given (an object with `has_view_permission`), is one
    of its users."""

    def __init__(self, titre, applications, reserve_a=None):
        self.titre = titre
        self.applications = list(applications)
        self.reserve_a = reserve_a

    def has_view_permission(self, user, obj=None):
        if self.reserve_a is not None and not self.reserve_a.has_view_permission(user):
            return False
        return any(app.has_view_permission(user) for app in self.applications)


class SiteDEL(Site):
    """viewflow's Site, its menu drawn by groups (templates/viewflow/includes/site_menu.html)
    instead of one flat list of applications."""

    def __init__(self, *, rubriques, groupes, **kwargs):
        """`rubriques`: the apps' pages, each named in a group by its `app_name` (a group may
        also list viewsets themselves, as the processes')."""
        par_nom = {rubrique.app_name: rubrique for rubrique in rubriques}
        self.groupes = list(groupes)
        for groupe in self.groupes:
            groupe.applications = [
                par_nom.pop(app) if isinstance(app, str) else app for app in groupe.applications
            ]
        # An app's pages left out of the groups would have no URL at all: say so at once.
        if par_nom:
            raise ImproperlyConfigured(f"Rubriques sans groupe dans le menu : {sorted(par_nom)}")
        super().__init__(
            viewsets=[app for groupe in self.groupes for app in groupe.applications], **kwargs
        )
        # viewflow's Viewset keeps copies of the viewsets it is given, and only its copies
        # know their place in the site (a process's URLs are reversed through it): the groups
        # list those, in the same order.
        copies = iter(self.viewsets)
        for groupe in self.groupes:
            groupe.applications = [next(copies) for _ in groupe.applications]
