"""What the site's pages of our own share, for every app to use."""

from viewflow.urls import Application


class Rubrique(Application):
    """One entry of the site's menu, for pages of our own (its `urlpatterns`). It has no
    viewsets, so no submenu: viewflow's would only say that it found none."""

    menu_template_name = None
