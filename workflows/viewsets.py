from django_filters import ChoiceFilter, DateRangeFilter, FilterSet
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow.views import DashboardProcessListView
from viewflow.workflow.flow.views.filters import get_queryset_flow_task_choices
from viewflow.workflow.models import Task

from accounts.roles import Role

from .flows import (
    AvenantFlow,
    BilanFlow,
    CommissionFlow,
    PrescriptionFlow,
    RemunerationFlow,
    SuiviParcoursFlow,
)


class TaskFilter(FilterSet):
    """viewflow's inbox/queue filter without its `process` dropdown (one option per process)."""

    flow_task = ChoiceFilter(label="Tâche")
    created = DateRangeFilter(label="Créée")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = get_queryset_flow_task_choices(self.queryset)

    class Meta:
        model = Task
        fields = ("flow_task", "created")


class ProcessListView(DashboardProcessListView):
    """viewflow's process list, newest first, with each row's record in the same query."""

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(*self.flow_class.process_related)
            .order_by("-created", "-pk")
        )


def supervise_les_processus(user) -> bool:
    """The DEL's gestionnaires and administrateurs follow the processes as such (their lists,
    charts, inbox and queue); everyone else reaches a task from their home page or its record,
    and reads no technical page in their menu. The pages themselves stay open to whoever holds
    the flow's view permission (tests/test_access_matrix.py): only the menus change."""
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.GESTIONNAIRE, Role.ADMINISTRATEUR)
    )


class Supervision:
    """What only the processes' supervisors see in the menus, asked by viewflow's template
    filter `has_perm` (which calls `has_view_permission`): the menu's group of processes
    (config/menu.py) and, on a process's pages, that process's own menu."""

    def has_view_permission(self, user, obj=None):
        return supervise_les_processus(user)


class DELFlowAppViewset(FlowAppViewset):
    """viewflow's flow application, with inbox and queue pages that stay small as data grows.

    Measured on viewflow 2.4 with 100 000 processes: the stock filter drawer of the inbox and
    the queue renders every process as an option (7 to 15 MB per page); ours filter by task
    type and date only. Its process list is not ordered (pagination would be inconsistent)
    and loads each row's summary separately.
    """

    process_list_view_class = ProcessListView
    menu_template_name = "viewflow/workflow/menu_du_processus.html"
    supervision = Supervision()

    def get_inbox_view_kwargs(self, **kwargs):
        return super().get_inbox_view_kwargs(filterset_class=TaskFilter, **kwargs)

    def get_queue_view_kwargs(self, **kwargs):
        return super().get_queue_view_kwargs(filterset_class=TaskFilter, **kwargs)


# The processes' entries of the site's menu, in its last group (config/menu.py).
applications = [
    DELFlowAppViewset(PrescriptionFlow, icon="account_tree", title="Processus des prescriptions"),
    DELFlowAppViewset(CommissionFlow, icon="account_tree", title="Processus des commissions"),
    DELFlowAppViewset(AvenantFlow, icon="account_tree", title="Processus des avenants"),
    DELFlowAppViewset(SuiviParcoursFlow, icon="account_tree", title="Processus des parcours"),
    DELFlowAppViewset(RemunerationFlow, icon="account_tree", title="Processus des rémunérations"),
    DELFlowAppViewset(BilanFlow, icon="account_tree", title="Processus des bilans"),
]
