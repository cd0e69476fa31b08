"""The read-only JSON API, /api/v1/. Every view reads through the selectors scoped to the
person (grants/selectors.py, budgets/selectors.py): another task force's object is a 404,
as in the pages; a list the person's role may not read at all is a 403, as in the pages."""

from datetime import date

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers, writes
from budgets.balances import award_balances
from budgets.filters import DrawdownFilter, LedgerFilter
from budgets.models import LedgerEntry
from budgets.running import add_running_balances
from budgets.selectors import drawdown_list_for_user
from grants import access, selectors
from grants.lookups import get_or_404
from grants.models import Award


class Cursor(CursorPagination):
    """Lists page by an opaque cursor (`next`, `previous`), stable while entries are added."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


def cursor(*ordering: str) -> type[Cursor]:
    """Cursor pages in `ordering`, whose last field is unique."""
    return type("Cursor", (Cursor,), {"ordering": ordering})


class ScopedDetail(generics.RetrieveAPIView):
    """One record of the person's scoped queryset; outside it, a 404 naming what was not
    found ("No such award."), as the pages say it."""

    def get_object(self):
        field = self.lookup_field
        return get_or_404(self.get_queryset(), **{field: self.kwargs[field]})


def scoped_award(request, award_number: str) -> Award:
    return get_or_404(selectors.award_list_for_user(user=request.user), award_number=award_number)


class TaskForceList(generics.ListAPIView):
    serializer_class = serializers.TaskForceSerializer
    pagination_class = cursor("code")

    def get_queryset(self):
        return selectors.task_force_list_for_user(user=self.request.user)


class TaskForceDetail(ScopedDetail):
    serializer_class = serializers.TaskForceSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.task_force_list_for_user(user=self.request.user)


class AppropriationList(generics.ListAPIView):
    """Program-level records: program staff and auditors only (a 403 for task-force staff)."""

    serializer_class = serializers.AppropriationSerializer
    pagination_class = cursor("fiscal_year", "id")

    def get_queryset(self):
        if not access.can_view_program(self.request.user):
            raise exceptions.PermissionDenied(
                "Appropriations are read by program staff and auditors only."
            )
        return selectors.appropriation_list_for_user(user=self.request.user)


class AppropriationDetail(ScopedDetail):
    serializer_class = serializers.AppropriationSerializer

    def get_queryset(self):
        return selectors.appropriation_list_for_user(user=self.request.user)


class AwardFilter(filters.FilterSet):
    task_force = filters.CharFilter(field_name="task_force__code")

    class Meta:
        model = Award
        fields = ["fiscal_year", "status", "task_force"]


def awards_for(user):
    return selectors.award_list_for_user(user=user).prefetch_related("funding_lines__appropriation")


class AwardList(generics.ListAPIView):
    serializer_class = serializers.AwardSerializer
    pagination_class = cursor("award_number")
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = AwardFilter

    def get_queryset(self):
        return awards_for(self.request.user)


class AwardDetail(ScopedDetail):
    serializer_class = serializers.AwardSerializer
    lookup_field = "award_number"

    def get_queryset(self):
        return awards_for(self.request.user)


class AwardBalances(generics.GenericAPIView):
    serializer_class = serializers.BalancesSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description="The day (YYYY-MM-DD) whose end the balances are as of; today by default.",
            )
        ]
    )
    def get(self, request, award_number: str):
        award = scoped_award(request, award_number)
        text = request.query_params.get("as_of")
        try:
            as_of = date.fromisoformat(text) if text else timezone.localdate()
        except ValueError:
            raise exceptions.ValidationError(
                {"as_of": [f"'{text}' is not a date: write it as YYYY-MM-DD, such as 2025-06-30."]}
            ) from None
        return Response(self.get_serializer(award_balances(award, as_of=as_of)).data)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    location=OpenApiParameter.HEADER,
    required=True,
    description="A new UUID for each new request; the same one when retrying it. "
    "A retry returns the first result (200); the key with another request is a 409.",
)


def write_schema(request, response, summary: str):
    return extend_schema(
        request=request,
        responses={201: response, 200: response},
        parameters=[IDEMPOTENCY_KEY],
        summary=summary,
    )


class LedgerEntryList(generics.ListAPIView):
    """An award's ledger, oldest first, with cash on hand and federal spending after each
    entry. Filters as on the ledger page: kind, category, share, date_from, date_to.
    POST records an entry of a kind a finance officer records, as the ledger form does."""

    @write_schema(
        serializers.EntryWriteSerializer,
        serializers.LedgerEntryWrittenSerializer,
        "Record a ledger entry",
    )
    def post(self, request, award_number: str):
        return writes.record_entry(request, scoped_award(request, award_number))

    serializer_class = serializers.LedgerEntrySerializer
    pagination_class = cursor("effective_date", "id")
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = LedgerFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()  # the schema generator asks with no award
        self.award = scoped_award(self.request, self.kwargs["award_number"])
        return LedgerEntry.objects.filter(award=self.award).select_related(
            "actor", "reverses", "reversed_by"
        )

    def paginate_queryset(self, queryset):
        # The running balances of the page's rows, in a constant number of queries.
        rows = super().paginate_queryset(queryset)
        add_running_balances(self.award.pk, rows)
        return rows


class DrawdownFilterWithAward(DrawdownFilter):
    award = filters.CharFilter(field_name="award__award_number")

    class Meta(DrawdownFilter.Meta):
        fields = ["status", "award"]


class DrawdownList(generics.ListAPIView):
    serializer_class = serializers.DrawdownRequestSerializer
    pagination_class = cursor("-id")
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = DrawdownFilterWithAward

    def get_queryset(self):
        return drawdown_list_for_user(user=self.request.user)


class DrawdownDetail(ScopedDetail):
    serializer_class = serializers.DrawdownRequestSerializer

    def get_queryset(self):
        return drawdown_list_for_user(user=self.request.user)


class EntryReversal(APIView):
    """Reverse a posted entry: a reversing entry; the original is never changed."""

    @write_schema(
        serializers.ReversalWriteSerializer,
        serializers.LedgerEntryWrittenSerializer,
        "Reverse a ledger entry",
    )
    def post(self, request, pk: int):
        return writes.reverse_entry(request, writes.scoped_entry(request, pk))


class DrawdownCreate(APIView):
    """Ask for federal cash on an award, as the drawdown form does."""

    @write_schema(
        serializers.DrawdownWriteSerializer,
        serializers.DrawdownRequestSerializer,
        "Request a drawdown",
    )
    def post(self, request, award_number: str):
        return writes.request_drawdown(request, scoped_award(request, award_number))


class UnknownPath(APIView):
    """Any other path under /api/v1/: a problem-details 404 rather than the site's HTML
    page, saying when only the trailing slash is missing."""

    permission_classes = [AllowAny]
    schema = None  # not an endpoint

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        detail = f"No such API endpoint: {request.path}."
        if not request.path.endswith("/"):
            detail += f" Paths end with a slash: {request.path}/"
        raise exceptions.NotFound(detail)
