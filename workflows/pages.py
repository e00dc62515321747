"""What the site's pages of our own share, for every app to use."""

from django_filters.views import FilterView
from viewflow.urls import Application


class Rubrique(Application):
    """One entry of the site's menu, for pages of our own (its `urlpatterns`). It has no
    viewsets, so no submenu: viewflow's would only say that it found none."""

    menu_template_name = None


class ListeView(FilterView):
    """Every list is built this way: the records the user may see (the view's `get_queryset`),
    narrowed by the list's FilterSet (`filterset_class`, in the app's filters.py, read from the
    GET; its form is `filter.form`), in pages of `paginate_by`. The template extends
    liste.html.

    A value no filter accepts (typed in the address) is ignored: the list shows the records
    without that filter, and the form says what was wrong with it."""

    strict = False
