"""The workbooks an auditor takes away: the whole program, one fiscal year, one task
force or one award, every sheet read through the person's scope.

Each sheet builder takes a queryset that is already scoped and returns a `Sheet` whose
rows come from `queryset.iterator()`, so a workbook of a million ledger rows is written
in the bounded memory of a write-only workbook. Totals are formulas (SUM, SUMIFS) over
the cells above them, so the file proves its own totals; the tests check that they equal
the app's.

Who gets what (docs/decisions/0006-auditor-exports.md): the program office and auditors
get every task force; task-force staff get the same workbook limited to their own task
forces, without the program-level appropriations sheet and without program-level audit
events.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from budgets.kinds import KINDS, TOTALS, InKindBasis
from budgets.models import BudgetLine, BudgetVersion, Category, DrawdownRequest, LedgerEntry
from budgets.running import per_unit
from grants import access, selectors
from grants.models import Amendment, Award, AwardFunding, Hold, TaskForce
from grants.money import ZERO
from reports.closeout_clock import records_retained_until, submitted_day
from reports.exports.xlsx import Column, Sheet, SumIf
from reports.models import FILED_IN, MEASURES, FinancialReport, ProgressReport
from reports.sf425 import LINE_LABELS

CHUNK = 2000


def wall_clock(moment: datetime | None, zone=None) -> datetime | None:
    """A stored instant as the wall-clock time the app shows (XLSX has no time zones).
    A sheet of many rows passes `zone`, looked up once, rather than once a row."""
    if moment is None:
        return None
    # What timezone.localtime does, without its checks, which a million rows pay for:
    # an instant read from the database always carries its time zone.
    return moment.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None)


def exported_at(moment: datetime | None = None) -> str:
    """`moment` (now by default), as every About sheet states it: local wall-clock time
    with its zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def _display(choices) -> dict[str, str]:
    return dict(choices)


# --- Selection: what a workbook or pack covers ----------------------------------------


@dataclass(frozen=True)
class Selection:
    """The whole program, one fiscal year, one task force or one award."""

    fiscal_year: int | None = None
    task_force: TaskForce | None = None
    award: Award | None = None

    @property
    def label(self) -> str:
        if self.award is not None:
            return f"Award {self.award.award_number}"
        if self.task_force is not None:
            return f"Task force {self.task_force.name}"
        if self.fiscal_year is not None:
            return f"Fiscal year {self.fiscal_year}"
        return "The whole program"

    @property
    def slug(self) -> str:
        if self.award is not None:
            return self.award.award_number
        if self.task_force is not None:
            return self.task_force.code
        if self.fiscal_year is not None:
            return f"fy{self.fiscal_year}"
        return "program"

    @property
    def is_program_wide(self) -> bool:
        return self.award is None and self.task_force is None

    def awards(self, user) -> QuerySet[Award]:
        awards = selectors.award_list_for_user(user=user)
        if self.fiscal_year is not None:
            awards = awards.filter(fiscal_year=self.fiscal_year)
        if self.task_force is not None:
            awards = awards.filter(task_force=self.task_force)
        if self.award is not None:
            awards = awards.filter(pk=self.award.pk)
        return awards

    def audit_window(self) -> tuple[datetime, datetime] | None:
        """For a fiscal year, October 1 to September 30 (the federal fiscal year)."""
        if self.fiscal_year is None or not self.is_program_wide:
            return None
        start = date(self.fiscal_year - 1, 10, 1)
        end = date(self.fiscal_year, 10, 1)
        tz = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end, time.min), tz),
        )


# --- Sheets ---------------------------------------------------------------------------


def appropriation_sheet(appropriations) -> Sheet:
    """`appropriations` from selectors.appropriation_list_for_user (with its totals).
    Money deobligated counts as not yet awarded only while its appropriation is available
    (docs/rules/deobligation.md#the-money-chain)."""
    today = timezone.localdate()
    rules = selectors.RuleBook([selectors.CANCELLATION_RULE])
    return Sheet(
        "Appropriations",
        [
            Column("Fiscal year", "int", 10),
            Column("Name", width=34),
            Column("Public law", width=14),
            Column("Source", width=50),
            Column("Source status", width=22),
            Column("Appropriated", "money", 16, total=True),
            Column("Set aside", "money", 16, total=True),
            Column("Awarded", "money", 16, total=True),
            Column("Deobligated", "money", 16, total=True),
            Column("Not yet awarded", "money", 16, total=True),
        ],
        (
            (
                a.fiscal_year,
                a.name,
                a.public_law,
                a.source,
                a.get_source_status_display(),
                a.amount,
                a.set_aside_total,
                a.awarded_total,
                a.returned_total,
                selectors.not_yet_awarded(a, on=today, rules=rules),
            )
            for a in appropriations.order_by("fiscal_year", "pk").iterator(chunk_size=CHUNK)
        ),
        count=appropriations.count,
    )


def funding_sheet(awards: QuerySet[Award]) -> Sheet:
    lines = (
        AwardFunding.objects.filter(award__in=awards.values("pk"))
        .select_related("award", "award__task_force", "appropriation")
        .order_by("award__award_number", "pk")
    )
    return Sheet(
        "Funding lines",
        [
            Column("Award number", width=26),
            Column("Task force", width=40),
            Column("Appropriation fiscal year", "int", 12),
            Column("Appropriation", width=34),
            Column("Amount", "money", 16, total=True),
        ],
        (
            (
                f.award.award_number,
                f.award.task_force.name,
                f.appropriation.fiscal_year,
                f.appropriation.name,
                f.amount,
            )
            for f in lines.iterator(chunk_size=CHUNK)
        ),
        count=lines.count,
    )


AWARD_COLUMNS = [
    Column("Award number", width=26),
    Column("Fiscal year", "int", 10),
    Column("Task force", width=40),
    Column("Recipient", width=36),
    Column("UEI", width=14),
    Column("Title", width=40),
    Column("Period start", "date", 12),
    Column("Period end", "date", 12),
    Column("Federal amount", "money", 16, total=True),
    Column("Match required", "money", 16, total=True),
    Column("Status", width=12),
    Column("Uniform Guidance", width=22),
    Column("Drawdowns need approval", width=12),
    Column("Special conditions", width=50),
    Column("Closeout started", "date", 12),
    Column("Flagged for unilateral closeout", "date", 14),
    Column("Missing when flagged", width=60),
    Column("Final SF-425 submitted", "date", 12),
    Column("Records kept until", "date", 12),
]


def award_sheet(awards: QuerySet[Award], title: str = "Awards") -> Sheet:
    awards = awards.annotate(
        final_sf425_submitted_at=Subquery(
            FinancialReport.objects.filter(
                award=OuterRef("pk"), is_final=True, status__in=FILED_IN
            ).values("submitted_at")[:1]
        )
    )
    return Sheet(
        title,
        AWARD_COLUMNS,
        (
            (
                a.award_number,
                a.fiscal_year,
                a.task_force.name,
                a.recipient.legal_name,
                a.recipient.uei,
                a.title,
                a.period_start,
                a.period_end,
                a.federal_amount,
                a.match_required,
                a.get_status_display(),
                a.get_ug_version_display(),
                _yes_no(a.drawdowns_need_approval),
                a.special_conditions,
                a.closeout_started_on,
                a.unilateral_closeout_on,
                "; ".join(a.unilateral_closeout_missing),
                submitted_day(a.final_sf425_submitted_at),
                records_retained_until(submitted_day(a.final_sf425_submitted_at)),
            )
            for a in awards.order_by("-fiscal_year", "award_number").iterator(chunk_size=CHUNK)
        ),
        count=awards.count,
    )


def amendment_sheet(awards: QuerySet[Award]) -> Sheet:
    amendments = (
        Amendment.objects.filter(award__in=awards.values("pk"))
        .select_related("award", "requested_by", "decided_by")
        .order_by("award__award_number", "number")
    )
    return Sheet(
        "Amendments",
        [
            Column("Award number", width=26),
            Column("Number", "int", 8),
            Column("Type", width=20),
            Column("Status", width=12),
            Column("Requested on", "date", 12),
            Column("Requested by", width=16),
            Column("Decided on", "date", 12),
            Column("Decided by", width=16),
            Column("Effective on", "date", 12),
            Column("Description", width=60),
        ],
        (
            (
                a.award.award_number,
                a.number,
                a.get_kind_display(),
                a.get_status_display(),
                a.requested_on,
                a.requested_by.username,
                a.decided_on,
                a.decided_by.username if a.decided_by else "",
                a.effective_on,
                a.description,
            )
            for a in amendments.iterator(chunk_size=CHUNK)
        ),
        count=amendments.count,
    )


VERSION_STATUS = _display(BudgetVersion.Status.choices)
KIND = _display(LedgerEntry.Kind.choices)
SHARE = _display(LedgerEntry.Share.choices)
CATEGORY = {"": "", **_display(Category.choices)}
IN_KIND_BASIS = _display(InKindBasis.choices)
APPROVED = VERSION_STATUS[BudgetVersion.Status.APPROVED]


def budget_version_sheet(awards: QuerySet[Award]) -> Sheet:
    versions = (
        BudgetVersion.objects.filter(award__in=awards.values("pk"))
        .select_related("award", "created_by", "approved_by")
        .order_by("award__award_number", "number")
    )
    return Sheet(
        "Budget versions",
        [
            Column("Award number", width=26),
            Column("Version", "int", 8),
            Column("Status", width=18),
            Column("Note", width=40),
            Column("Created by", width=16),
            Column("Created at", "datetime", 19),
            Column("Approved by", width=16),
            Column("Approved at", "datetime", 19),
        ],
        (
            (
                v.award.award_number,
                v.number,
                v.get_status_display(),
                v.note,
                v.created_by.username,
                wall_clock(v.created_at),
                v.approved_by.username if v.approved_by else "",
                wall_clock(v.approved_at),
            )
            for v in versions.iterator(chunk_size=CHUNK)
        ),
        count=versions.count,
    )


def budget_line_sheet(awards: QuerySet[Award]) -> Sheet:
    lines = (
        BudgetLine.objects.filter(version__award__in=awards.values("pk"))
        .order_by("version__award__award_number", "version__number", "category")
        .values_list(
            "version__award__award_number",
            "version__number",
            "version__status",
            "category",
            "federal_amount",
            "non_federal_amount",
            "narrative",
        )
    )
    where = (("Version status", APPROVED),)
    return Sheet(
        "Budget lines",
        [
            Column("Award number", width=26),
            Column("Version", "int", 8),
            Column("Version status", width=18),
            Column("Category", width=26),
            Column("Federal", "money", 16),
            Column("Non-federal", "money", 16),
            Column("Narrative", width=50),
        ],
        (
            (number, version, VERSION_STATUS[status], CATEGORY[cat], fed, non_fed, text)
            for number, version, status, cat, fed, non_fed, text in lines.iterator(chunk_size=CHUNK)
        ),
        sum_ifs=[
            SumIf("Approved budgets, federal", "Federal", where),
            SumIf("Approved budgets, non-federal", "Non-federal", where),
        ],
        count=lines.count,
    )


def _ledger_totals() -> list[SumIf]:
    """The per-day totals the ledger sheet totals (budgets.kinds.TOTALS with a sheet
    label), as SUMIFS over its Kind and Share columns; each equals the matching sum in
    budgets.ledger_days.LINE_SUMS. A total that several kinds move gets a row per kind
    that adds to it, named for it, for the reader to add up; what a kind takes off a
    total (cash returned, from 10a) is subtracted in the same formula."""
    sums = []

    def where(kind, move) -> tuple[tuple[str, str], ...]:
        if move.paying:
            raise ValueError(f"{move.total} depends on what an entry pays: no SUMIFS.")
        return (("Kind", KIND[kind.code]),) + (
            (("Share", SHARE[move.share]),) if move.share else ()
        )

    for total in (total for total in TOTALS if total.sheet_label):
        moves = [(k, m) for k in KINDS.values() for m in k.moves if m.total == total.name]
        adding = [(k, m) for k, m in moves if m.sign > 0]
        taken_off = tuple(where(k, m) for k, m in moves if m.sign < 0)
        for kind, move in adding:
            label = total.sheet_label
            if len(adding) > 1:
                label += f", {kind.label.lower()}"
            sums.append(SumIf(label, "Amount", where(kind, move), taken_off))
    return sums


LEDGER_TOTALS = _ledger_totals()

LEDGER_COLUMNS = [
    Column("Award number", width=26),
    Column("Entry", "int", 9),
    Column("Date", "date", 12),
    Column("Kind", width=18),
    Column("Reverses entry", "int", 10),
    Column("Pays entry", "int", 10),
    Column("Category", width=24),
    Column("Share", width=16),
    Column("Amount", "money", 15),
    Column("Cash on hand after", "money", 16),
    Column("Federal spent after", "money", 16),
    Column("In kind, valued as", width=30),
    Column("In-kind contribution", width=36),
    Column("Memo", width=44),
    Column("Recorded by", width=16),
    Column("Posted at", "datetime", 19),
]

LEDGER_FIELDS = (
    "award__award_number",
    "pk",
    "effective_date",
    "kind",
    "reverses_id",
    "obligation_id",
    "expenditure_id",
    "category",
    "share",
    "amount",
    "in_kind_basis",
    "in_kind_description",
    "memo",
    "actor__username",
    "posted_at",
)


def ledger_rows(entries: QuerySet[LedgerEntry]) -> Iterator[tuple]:
    """Ledger rows in ledger order (award, effective date, posting order), with the
    running cash on hand and federal spending of each award after each row.

    The running totals are carried along in Python as the rows stream past, each
    entry moving them as budgets.running says, the module the ledger page and the API
    compute a page's balances with.
    """
    current, cash, spent = None, ZERO, ZERO
    zone = timezone.get_current_timezone()
    rows = entries.order_by("award__award_number", "effective_date", "pk").values_list(
        *LEDGER_FIELDS
    )
    for (
        number, pk, day, kind, reverses, obligation, expenditure, category, share, amount,
        in_kind_basis, in_kind_description, memo, actor, posted_at,
    ) in rows.iterator(chunk_size=CHUNK):  # fmt: skip
        if number != current:
            current, cash, spent = number, ZERO, ZERO
        signed = -amount if reverses else amount
        pays = obligation or expenditure  # the earlier entry it pays, if any
        # The same rule as the ledger page's and the API's (budgets.running).
        to_cash, to_spent = per_unit(kind, share, pays is not None, bool(in_kind_basis))
        if to_cash:
            cash += to_cash * signed
        if to_spent:
            spent += to_spent * signed
        yield (
            number, pk, day, KIND[kind], reverses, pays, CATEGORY[category], SHARE[share],
            signed, cash, spent, IN_KIND_BASIS.get(in_kind_basis, ""), in_kind_description,
            memo, actor, wall_clock(posted_at, zone),
        )  # fmt: skip


def ledger_sheet(entries: QuerySet[LedgerEntry]) -> Sheet:
    return Sheet(
        "Ledger",
        LEDGER_COLUMNS,
        ledger_rows(entries),
        sum_ifs=list(LEDGER_TOTALS),
        count=entries.count,
    )


DRAWDOWN_STATUS = _display(DrawdownRequest.Status.choices)


def drawdown_sheet(drawdowns: QuerySet[DrawdownRequest]) -> Sheet:
    drawdowns = drawdowns.select_related(
        "award",
        "award__task_force",
        "requested_by",
        "decided_by",
        "ledger_entry",
        "ledger_entry__reversed_by",
    ).order_by("award__award_number", "requested_on", "pk")
    return Sheet(
        "Drawdowns",
        [
            Column("Award number", width=26),
            Column("Task force", width=40),
            Column("Amount", "money", 14, total=True),
            Column("Requested on", "date", 12),
            Column("Requested by", width=18),
            Column("Status", width=12),
            Column("Decided by", width=18),
            Column("Decided at", "datetime", 19),
            Column("Decision note", width=40),
            Column("Paid on", "date", 12),
            Column("Cash returned on", "date", 12),
            Column("Memo", width=40),
        ],
        (
            (
                d.award.award_number,
                d.award.task_force.name,
                d.amount,
                d.requested_on,
                d.requested_by.username,
                d.get_status_display(),
                d.decided_by.username if d.decided_by else "",
                wall_clock(d.decided_at),
                d.decision_note,
                d.ledger_entry.effective_date if d.ledger_entry_id else None,
                d.returned_on,
                d.memo,
            )
            for d in drawdowns.iterator(chunk_size=CHUNK)
        ),
        sum_ifs=[
            SumIf("Paid", "Amount", (("Status", DRAWDOWN_STATUS[DrawdownRequest.Status.PAID]),)),
            SumIf(
                "Requested, not yet decided",
                "Amount",
                (("Status", DRAWDOWN_STATUS[DrawdownRequest.Status.REQUESTED]),),
            ),
            SumIf(
                "Approved, not yet paid",
                "Amount",
                (("Status", DRAWDOWN_STATUS[DrawdownRequest.Status.APPROVED]),),
            ),
        ],
        count=drawdowns.count,
    )


REPORT_COLUMNS = [
    Column("Award number", width=26),
    Column("Task force", width=40),
    Column("Period end", "date", 12),
    Column("Final", width=7),
    Column("Status", width=22),
    Column("Submitted at", "datetime", 19),
    Column("Submitted by", width=16),
    Column("Submissions", "int", 11),
    Column("Reviewed by", width=16),
    Column("Reviewed at", "datetime", 19),
    Column("Review comment", width=40),
]


def _report_head(r) -> tuple:
    return (
        r.award.award_number,
        r.award.task_force.name,
        r.period_end,
        _yes_no(r.is_final),
        r.get_status_display(),
        wall_clock(r.submitted_at),
        r.submitted_by.username,
        r.submissions,
        r.reviewed_by.username if r.reviewed_by else "",
        wall_clock(r.reviewed_at),
        r.review_comment,
    )


def _reports(model, awards: QuerySet[Award]) -> QuerySet:
    """The SF-425s or progress reports of `awards`, with what _report_head reads."""
    return (
        model.objects.filter(award__in=awards.values("pk"))
        .select_related("award", "award__task_force", "submitted_by", "reviewed_by")
        .order_by("award__award_number", "period_end")
    )


def sf425_sheet(awards: QuerySet[Award]) -> Sheet:
    """Every filed SF-425 with the lines as certified (not as the ledger gives now)."""
    reports = _reports(FinancialReport, awards)
    return Sheet(
        "SF-425 reports",
        REPORT_COLUMNS
        + [Column(f"{n} {label}", "money", 16) for n, label in LINE_LABELS.items()]
        + [Column("Remarks", width=40), Column("Certified by", width=24)],
        (
            _report_head(r)
            + tuple(r.lines.get(n) for n in LINE_LABELS)
            + (r.remarks, f"{r.certifier_name}, {r.certifier_title}")
            for r in reports.iterator(chunk_size=CHUNK)
        ),
        count=reports.count,
    )


def progress_sheet(awards: QuerySet[Award]) -> Sheet:
    """Progress reports with the ICAC performance measures."""
    reports = _reports(ProgressReport, awards)
    return Sheet(
        "Performance measures",
        REPORT_COLUMNS
        + [Column(label, "int", 14) for _, label in MEASURES]
        + [
            Column("Accomplishments", width=50),
            Column("Challenges", width=40),
            Column("Next steps", width=40),
        ],
        (
            _report_head(r)
            + tuple(getattr(r, name) for name, _ in MEASURES)
            + (r.accomplishments, r.challenges, r.next_steps)
            for r in reports.iterator(chunk_size=CHUNK)
        ),
        count=reports.count,
    )


def hold_sheet(awards: QuerySet[Award]) -> Sheet:
    holds = (
        Hold.objects.filter(award__in=awards.values("pk"))
        .select_related("award", "award__task_force", "placed_by", "lifted_by")
        .order_by("award__award_number", "placed_at", "pk")
    )
    return Sheet(
        "Holds",
        [
            Column("Award number", width=26),
            Column("Task force", width=40),
            Column("Reason", width=50),
            Column("Report", width=20),
            Column("Placed at", "datetime", 19),
            Column("Placed by", width=16),
            Column("Active", width=8),
            Column("Lifted at", "datetime", 19),
            Column("Lifted by", width=16),
            Column("Why lifted", width=40),
        ],
        (
            (
                h.award.award_number,
                h.award.task_force.name,
                h.reason,
                h.report_key,
                wall_clock(h.placed_at),
                h.placed_by.username if h.placed_by else "system",
                _yes_no(h.is_active),
                wall_clock(h.lifted_at),
                h.lifted_by.username if h.lifted_by else "",
                h.lift_reason,
            )
            for h in holds.iterator(chunk_size=CHUNK)
        ),
        count=holds.count,
    )


def audit_sheet(events) -> Sheet:
    """`events` from selectors.audit_events_for_user, oldest first. Read as plain values,
    not as events with their actor, task force and content type: a year's trail can pass
    a million rows, and building four model objects a row was a third of its time."""
    zone = timezone.get_current_timezone()
    rows = events.order_by("occurred_at", "pk").values_list(
        "pk",
        "occurred_at",
        "actor__username",
        "action",
        "task_force__name",
        "content_type__model",
        "object_id",
        "object_repr",
        "data",
    )
    return Sheet(
        "Audit events",
        [
            Column("Event", "int", 9),
            Column("Occurred at", "datetime", 19),
            Column("Actor", width=16),
            Column("Action", width=34),
            Column("Task force", width=36),
            Column("Object type", width=18),
            Column("Object id", width=10),
            Column("Object", width=40),
            Column("Details", width=80),
        ],
        (
            (
                pk,
                wall_clock(occurred_at, zone),
                actor or "system",
                action,
                task_force or "",
                content_type or "",
                object_id,
                object_repr,
                _json(data),
            )
            for (
                pk,
                occurred_at,
                actor,
                action,
                task_force,
                content_type,
                object_id,
                object_repr,
                data,
            ) in rows.iterator(chunk_size=CHUNK)
        ),
        count=events.count,
    )


def _json(data) -> str:
    return _JSON.encode(data)


# One encoder for every row: json.dumps with options builds one per call.
_JSON = DjangoJSONEncoder(sort_keys=True, ensure_ascii=False)


# --- Workbooks ------------------------------------------------------------------------


@contextmanager
def consistent_snapshot():
    """Read every sheet from one moment. On PostgreSQL the export runs in a REPEATABLE
    READ, READ ONLY transaction, so an entry posted while the file is written cannot make
    the ledger sheet disagree with the drawdowns or the SF-425 sheet. SQLite is left in
    autocommit: its transaction would lock out every writer for the whole export.

    Yields True when it opened that transaction (nothing can be written on this
    connection inside it), else False."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield False
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield True


def selection_sheets(*, user, selection: Selection) -> list[Sheet]:
    """Every sheet of the auditor workbook for `selection`, as far as `user` may read."""
    awards = selection.awards(user)
    award_ids = awards.values("pk")
    sheets = []
    if selection.is_program_wide and access.can_view_program(user):
        appropriations = selectors.appropriation_list_for_user(user=user)
        if selection.fiscal_year is not None:
            appropriations = appropriations.filter(fiscal_year=selection.fiscal_year)
        sheets.append(appropriation_sheet(appropriations))
    sheets += [
        funding_sheet(awards),
        award_sheet(awards, "Terms" if selection.award is not None else "Awards"),
        amendment_sheet(awards),
        budget_version_sheet(awards),
        budget_line_sheet(awards),
        ledger_sheet(LedgerEntry.objects.filter(award__in=award_ids)),
        drawdown_sheet(DrawdownRequest.objects.filter(award__in=award_ids)),
        sf425_sheet(awards),
        progress_sheet(awards),
        hold_sheet(awards),
    ]
    if selection.award is None:
        events = selectors.audit_events_for_user(user=user)
        if selection.task_force is not None:
            events = events.filter(task_force=selection.task_force)
        window = selection.audit_window()
        if window is not None:
            events = events.filter(occurred_at__gte=window[0], occurred_at__lt=window[1])
        sheets.append(audit_sheet(events))
    return sheets


def selection_about(
    *, user, selection: Selection, shared_with=(), read_at: datetime | None = None
) -> dict[str, str]:
    """What the About sheet says about whose data this is and what was left out.
    `shared_with`: the usernames of those one run wrote the same file for
    (reports.prepared), read through `user`'s scope, which is theirs too; `read_at`: when
    the data was read, if not now."""
    people = dict.fromkeys([user.get_username(), *shared_with])
    about = {
        "Export": f"Auditor workbook: {selection.label}",
        "Exported by": ", ".join(people),
        "Exported at": exported_at(read_at),
        "Selection": selection.label,
    }
    if len(people) > 1:
        about["Shared"] = (
            "One file for everyone named above, who asked for it or took it while it was written."
        )
    if access.sees_every_task_force(user):
        about["Scope"] = "every task force"
    else:
        names = TaskForce.objects.filter(access.task_force_scope(user, field="pk")).values_list(
            "name", flat=True
        )
        about["Scope"] = "your task force only: " + ", ".join(sorted(names))
        about["Left out"] = (
            "Appropriations (program-level records) and audit events that name no task force"
        )
    if selection.audit_window() is not None:
        about["Audit events"] = (
            f"Events from October 1, {selection.fiscal_year - 1} to September 30, "
            f"{selection.fiscal_year}"
        )
    about["Totals"] = (
        "Total rows are formulas over the rows above them; ledger totals by SF-425 line "
        "are SUMIFS over the Kind and Share columns."
    )
    return about


def workbook_filename(selection: Selection) -> str:
    return f"auditor-workbook-{selection.slug}-{timezone.localdate():%Y%m%d}.xlsx"
