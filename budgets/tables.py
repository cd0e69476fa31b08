import django_tables2 as tables
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_tables2.rows import BoundRows

from budgets.kinds import KINDS
from budgets.models import DrawdownRequest, LedgerEntry
from budgets.running import add_running_balances
from budgets.selectors import ledger_page_rows, set_award_money, set_oldest_cash_on
from grants.money import format_money
from grants.tables import DateColumn, MoneyColumn, priority


def page_ids(ordered: QuerySet, start: int, stop: int, total: int) -> list[int]:
    """The ids of rows start..stop (0-based, stop excluded) of `ordered`, `total` rows
    in all, read from whichever end of its index is nearer: skipping rows costs time in
    proportion to their number, so a page past the middle is read backwards from the
    end and turned round. Only a total order (ending with the id) reads the same both
    ways; any other order is read forwards."""
    if start < 0 or start >= stop:  # an empty ledger's one page
        return []
    order = ordered.query.order_by
    if order and order[-1].lstrip("-") in ("pk", "id"):
        if start > total - stop:
            backwards = ordered.reverse().values_list("pk", flat=True)
            return list(backwards[total - stop : total - start])[::-1]
    return list(ordered.values_list("pk", flat=True)[start:stop])


class LedgerTable(tables.Table):
    effective_date = DateColumn("Date")
    # Every sort ends with the id: ties (many entries of one kind) then keep one order, so
    # no entry repeats or goes missing across pages, and page_ids can read from either end.
    kind = tables.Column("Entry", order_by=("kind", "pk"))
    category = tables.Column(order_by=("category", "pk"))
    share = tables.Column(order_by=("share", "pk"))
    amount = MoneyColumn("Amount")
    memo = tables.Column(order_by=("memo", "pk"), attrs=priority(2))
    # The recipient's document or transaction number (imported entries always have one).
    reference = tables.Column(
        "Reference", default="—", order_by=("reference", "pk"), attrs=priority(2)
    )
    actor = tables.Column("Recorded by", order_by=("actor__username", "pk"), attrs=priority(3))
    cash_after = MoneyColumn("Cash on hand after", orderable=False)
    federal_spent_after = MoneyColumn("Federal spent after", orderable=False)
    # Rendered here, not by a template per row: a row's template costs a context, the
    # context processors and a template render, for two links.
    actions = tables.Column(verbose_name="", orderable=False, empty_values=())

    class Meta:
        model = LedgerEntry
        fields = (
            "effective_date",
            "kind",
            "category",
            "share",
            "amount",
            "memo",
            "reference",
            "actor",
        )
        # The actions next to the entry they act on, where a narrow screen still shows them.
        sequence = (
            "effective_date",
            "kind",
            "actions",
            "category",
            "share",
            "amount",
            "cash_after",
            "federal_spent_after",
            "memo",
            "reference",
            "actor",
        )
        order_by = ("effective_date",)
        row_attrs = {"data-entry": lambda record: record.pk}

    def render_kind(self, record):
        if record.reverses_id:
            return f"Reversal of {record.get_kind_display().lower()} #{record.reverses_id}"
        if record.expenditure_id:
            return f"{record.get_kind_display()} #{record.pk}, paying #{record.expenditure_id}"
        return f"{record.get_kind_display()} #{record.pk}"

    def render_amount(self, record):
        return format_money(-record.amount if record.reverses_id else record.amount)

    def render_actions(self, record):
        """Record a payment of an unpaid expenditure, and reverse an entry, for whoever
        may record spending; otherwise whether it was reversed."""
        reversed_by = getattr(record, "reversed_by", None)
        if self.can_reverse and not record.reverses_id and not reversed_by:
            number = self.award.award_number
            pay = ""
            if record.kind == LedgerEntry.Kind.EXPENDITURE and record.unpaid > 0:
                pay = format_html(
                    '<a class="display-block" href="{}?expenditure={}">Record payment</a>',
                    reverse("budgets:entry_create", args=[number, "disbursement"]),
                    record.pk,
                )
            return format_html(
                '{}<a href="{}">Reverse</a>',
                pay,
                reverse("budgets:entry_reverse", args=[number, record.pk]),
            )
        if reversed_by:
            return mark_safe('<span class="text-base">Reversed</span>')
        return ""

    def render_category(self, record):
        return record.get_category_display() or "—"

    def render_share(self, record):
        # Spending, and the payment of spending, is of one share; cash movements are not.
        kind = KINDS[record.kind]
        if not (kind.needs_category or record.paying):
            return "—"
        if record.in_kind_basis:
            return (
                f"{record.get_share_display()}, in kind: {record.get_in_kind_basis_display()} "
                f"({record.in_kind_description})"
            )
        return record.get_share_display()

    def order_effective_date(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}effective_date", f"{prefix}pk"), True

    def order_amount(self, queryset, is_descending):
        # Ties in posting order, so every page is stable (budgets_ledger_amount_idx).
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}amount", f"{prefix}pk"), True

    def paginate(self, *args, **kwargs):
        """Cut the page, then read its rows and set their running balances
        (budgets.running): a constant number of queries for any page, sort or filter,
        where a subquery per row would grow with the square of the ledger's depth. The
        page's ids are chosen on the bare entries (the view's queryset: no joins, no
        unpaid amounts), and a page past the middle is read from the far end of the index
        (page_ids), so the last page costs what the first does."""
        super().paginate(*args, **kwargs)
        shown = self.page.object_list
        page = self.page
        ids = page_ids(
            self.data.data, page.start_index() - 1, page.end_index(), self.paginator.count
        )
        records = ledger_page_rows(award=self.award, ids=ids) if ids else []
        if records:
            add_running_balances(records[0].award_id, records)
        self.page.object_list = BoundRows(data=records, table=self, pinned_data=shown.pinned_data)
        return self

    award = None  # set by the view: every row's award
    can_reverse = False  # set by the view


MONEY_TD = {"class": "text-right text-tabular"}
MONEY_TH = {"class": "text-right"}


class DrawdownTable(tables.Table):
    """The drawdown queue. Each award's money (selectors.set_award_money) and the age
    of the cash it holds are set on the page's rows (paginate); the view sets `today`,
    `cash_days` and `can_decide`. The decision forms are written by render_actions, not
    by a template per row: a row's template cost a context, the context processors and
    a template render."""

    award = tables.Column("Request", order_by=("-requested_on", "-pk"))
    amount = tables.Column(attrs={"td": MONEY_TD, "th": MONEY_TH})
    available_to_draw = MoneyColumn(
        "Available to draw",
        orderable=False,
        attrs={"td": MONEY_TD, "th": MONEY_TH},
    )
    cash_on_hand = tables.Column(
        "Cash on hand",
        orderable=False,
        attrs={"td": {"class": "text-tabular-wrap"}},
    )
    review_reasons = tables.Column(
        "Why it needs a decision",
        orderable=False,
        empty_values=(),
        attrs={"td": {"class": "drawdown-reasons"}},
    )
    # Rendered here, not by a template per row (render_actions).
    actions = tables.Column(
        verbose_name="Decision",
        orderable=False,
        empty_values=(),
        attrs={"td": {"class": "drawdown-actions"}},
    )

    class Meta:
        model = DrawdownRequest
        fields = ("award", "amount")
        sequence = (
            "award",
            "amount",
            "available_to_draw",
            "cash_on_hand",
            "review_reasons",
            "actions",
        )
        order_by = ("award",)
        attrs = {"class": "usa-table usa-table--borderless usa-table--stacked drawdown-queue"}
        row_attrs = {"data-request": lambda record: record.pk}

    today = None
    cash_days = None
    can_decide = False

    def paginate(self, *args, **kwargs):
        """Cut the page, then set each row's award money and date the oldest cash its
        award holds, in a few queries for the page's awards (selectors.set_award_money,
        set_oldest_cash_on)."""
        super().paginate(*args, **kwargs)
        shown = self.page.object_list
        records = list(shown.data)
        set_award_money(records, today=self.today)
        set_oldest_cash_on(records, today=self.today)
        self.page.object_list = BoundRows(data=records, table=self, pinned_data=shown.pinned_data)
        return self

    def render_award(self, record, value):
        """Which award, whose, and when and by whom it was asked for."""
        return format_html(
            '<a href="{}">{}</a><br><span class="usa-hint">{}<br>requested {} by {}</span>',
            record.award.get_absolute_url(),
            value,
            record.award.task_force.name,
            f"{record.requested_on:%m/%d/%Y}",
            record.requested_by,
        )

    def render_amount(self, record, value):
        """The amount, and where the request stands (who decided it)."""
        status = record.get_status_display()
        decided = (DrawdownRequest.Status.APPROVED, DrawdownRequest.Status.REJECTED)
        if record.decided_by_id and record.status in decided:
            status += f" by {record.decided_by}"
        returned = record.returned_on
        if returned:
            status += f"; cash returned {returned:%m/%d/%Y}"
        return format_html(
            '{}<br><span class="usa-hint" data-testid="status">{}</span>',
            format_money(value),
            status,
        )

    def render_cash_on_hand(self, record, value):
        """The cash held and how long its oldest dollar has been held (oldest first)."""
        if not value or record.oldest_cash_on is None:
            return format_money(value)
        age = (self.today - record.oldest_cash_on).days
        past = self.cash_days is not None and age >= self.cash_days
        return format_html(
            '{}<br><span class="{}">oldest drawn {}, {} day{} ago{}</span>',
            format_money(value),
            "text-secondary-dark text-bold" if past else "usa-hint",
            f"{record.oldest_cash_on:%m/%d/%Y}",
            age,
            "" if age == 1 else "s",
            f" (past {self.cash_days} days)" if past else "",
        )

    def render_actions(self, record):
        """Approve, mark paid, reject: for a financial approver, never on their own
        request, and marking paid never by the approver who approved it."""
        if not self.can_decide:
            return ""
        status = DrawdownRequest.Status
        if record.requested_by_id == self.request.user.pk:
            if record.status == status.REQUESTED:
                return mark_safe(
                    '<span class="usa-hint">Your own request: another approver decides it.</span>'
                )
            return ""
        forms = []
        if record.status == status.REQUESTED:
            forms.append(
                self._decision_form(
                    record,
                    "approve",
                    format_html(
                        '<span class="usa-hint display-block" data-testid="approve-summary">'
                        "Approving releases {} for payment.</span>"
                        '<button class="usa-button usa-button--outline margin-top-0" '
                        'type="submit">Approve</button>',
                        format_money(record.amount),
                    ),
                )
            )
        if record.status == status.APPROVED and record.decided_by_id != self.request.user.pk:
            forms.append(
                self._decision_form(
                    record,
                    "paid",
                    mark_safe(
                        '<button class="usa-button usa-button--outline margin-top-0" '
                        'type="submit">Mark paid</button>'
                    ),
                )
            )
        if record.status in (status.REQUESTED, status.APPROVED):
            forms.append(
                self._decision_form(
                    record,
                    "reject",
                    format_html(
                        '<label class="usa-sr-only" for="reject-{}">Why reject</label>'
                        '<input class="usa-input margin-top-0" id="reject-{}" name="note" '
                        'placeholder="Why reject" required>'
                        '<button class="usa-button usa-button--unstyled margin-top-05" '
                        'type="submit">Reject</button>',
                        record.pk,
                        record.pk,
                    ),
                    css_class="margin-top-1",
                )
            )
        return mark_safe("".join(forms))

    def _decision_form(self, record, decision, controls, css_class=""):
        """One decision on a request: a form posting `controls` with the page's CSRF field."""
        return format_html(
            '<form method="post" action="{}"{}>{}{}</form>',
            reverse("budgets:drawdown_decide", args=[record.pk, decision]),
            format_html(' class="{}"', css_class) if css_class else "",
            self._csrf_field,
            controls,
        )

    @cached_property
    def _csrf_field(self):
        """The hidden CSRF field every form of the page carries, as {% csrf_token %}
        writes it (one token for the page)."""
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(self.request)
        )

    def render_review_reasons(self, record, value):
        if not value:
            return "—"
        return format_html_join(
            "", '<p class="margin-top-0 margin-bottom-1">{}</p>', ((reason,) for reason in value)
        )
