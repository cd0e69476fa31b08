"""The award document (terms, funding, approved budget, special conditions, acceptance)
and the notice of one amendment.

The caller has already fetched the award or amendment through a selector scoped to the
user; these builders only read what hangs off it.
"""

from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from reportlab.lib.units import inch

from budgets.models import Category
from grants.audit import AuditEvent
from grants.models import Amendment, Award
from grants.money import ZERO, MoneySum
from reports.exports import pdf_page as page

ASSISTANCE_LISTINGS = {"16.543": "Missing Children's Assistance"}
# Lifecycle events the award document reports, in the audit trail's action names.
LIFECYCLE = {
    "grants.award.created": "Created",
    "grants.award.draft": "Returned to draft",
    "grants.award.offered": "Offered",
    "grants.award.accepted": "Accepted by the recipient",
    "grants.award.active": "Activated",
    "grants.award.in_closeout": "Closeout started",
    "grants.award.closed": "Closed",
}


def _events_for(obj: models.Model):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def _recipient(award: Award) -> str:
    r = award.recipient
    return f"{r.legal_name}\n{r.address}\nUEI {r.uei} · EIN {r.ein}"


def _assistance_listing(award: Award) -> str:
    name = ASSISTANCE_LISTINGS.get(award.assistance_listing)
    return f"{award.assistance_listing} {name}" if name else award.assistance_listing


def _terms(award: Award) -> list:
    return [
        page.heading("1. Terms"),
        page.key_value_table(
            [
                ("Award number", award.award_number),
                ("Project title", award.title),
                ("Recipient", _recipient(award)),
                ("Task force", award.task_force.name),
                ("Fiscal year", award.fiscal_year),
                ("Assistance listing (CFDA/ALN)", _assistance_listing(award)),
                (
                    "Period of performance",
                    f"{award.period_start:%m/%d/%Y} to {award.period_end:%m/%d/%Y}",
                ),
                ("Federal award amount", award.federal_amount),
                ("Required match (non-federal)", award.match_required),
                ("Total project cost", award.federal_amount + award.match_required),
                ("Uniform Guidance", award.get_ug_version_display()),
                (
                    "Drawdowns",
                    "Each drawdown needs a financial approver's approval"
                    if award.drawdowns_need_approval
                    else "Approved automatically",
                ),
                ("Status", award.get_status_display()),
            ]
        ),
    ]


def _funding(award: Award) -> list:
    lines = list(award.funding_lines.select_related("appropriation").order_by("pk"))
    total = award.funding_lines.aggregate(t=MoneySum("amount", default=ZERO))["t"]
    story = [
        page.heading("2. Federal funding by appropriation"),
        page.grid_table(
            ["Fiscal year", "Appropriation", "Public law", "Account", "Amount"],
            [
                (
                    f"FY{f.appropriation.fiscal_year}",
                    f.appropriation.name,
                    f.appropriation.public_law or "—",
                    f.appropriation.account,
                    f.amount,
                )
                for f in lines
            ],
            widths=[0.8 * inch, 2.1 * inch, 1.0 * inch, 2.0 * inch, 1.4 * inch],
            right_columns=[4],
            footer=["Total", "", "", "", total],
        ),
    ]
    if total != award.federal_amount:
        story.append(
            page.text(
                f"Warning: the funding lines add up to {page.plain(total)}, not the federal "
                f"award amount of {page.plain(award.federal_amount)}.",
                page.BODY,
            )
        )
    return story


def _budget(award: Award) -> list:
    story = [page.heading("3. Approved budget by category")]
    version = award.budget_versions.select_related("approved_by").current()
    if version is None:
        return story + [page.text("No approved budget yet.", page.BODY)]
    lines = {line.category: line for line in version.lines.all()}
    totals = version.lines.aggregate(
        federal=MoneySum("federal_amount", default=ZERO),
        non_federal=MoneySum("non_federal_amount", default=ZERO),
    )
    rows = []
    for category in Category:
        line = lines.get(category.value)
        federal = line.federal_amount if line else ZERO
        non_federal = line.non_federal_amount if line else ZERO
        rows.append(
            (
                category.label,
                federal,
                non_federal,
                federal + non_federal,
                line.narrative if line else "",
            )
        )
    story.append(
        page.text(
            f"Version {version.number}, approved {page.plain(version.approved_at)}"
            + (f" by {page.person(version.approved_by)}" if version.approved_by else "")
            + ".",
            page.BODY,
        )
    )
    story.append(page.spacer(4))
    story.append(
        page.grid_table(
            ["Category", "Federal", "Non-federal", "Total", "Narrative"],
            rows,
            widths=[
                1.55 * inch,
                1.15 * inch,
                1.15 * inch,
                1.15 * inch,
                page.FRAME_WIDTH - 5.0 * inch,
            ],
            right_columns=[1, 2, 3],
            footer=[
                "Total",
                totals["federal"],
                totals["non_federal"],
                totals["federal"] + totals["non_federal"],
                "",
            ],
        )
    )
    story.append(page.spacer(4))
    story.append(
        page.text(
            _agreement(totals["federal"], award.federal_amount, "federal award amount"), page.SMALL
        )
    )
    story.append(
        page.text(
            _agreement(
                totals["non_federal"], award.match_required, "required match", at_least=True
            ),
            page.SMALL,
        )
    )
    return story


def _agreement(total: Decimal, expected: Decimal, name: str, *, at_least: bool = False) -> str:
    """Whether the budget's total equals `expected`, or, with `at_least` (the match, which
    a recipient may exceed), reaches it."""
    if total == expected:
        return f"The budget's total equals the {name} ({page.plain(expected)})."
    if at_least and total > expected:
        return (
            f"The budget's total ({page.plain(total)}) meets the {name} ({page.plain(expected)})."
        )
    return (
        f"Warning: the budget's total ({page.plain(total)}) differs from the {name} "
        f"({page.plain(expected)}) by {page.plain(total - expected)}."
    )


def _acceptance(award: Award) -> list:
    events = list(_events_for(award).filter(action__in=LIFECYCLE).order_by("occurred_at", "pk"))
    accepted = [e for e in events if e.action == "grants.award.accepted"]
    if award.accepted_at:
        # The acknowledgement of the terms: the account that accepted, the full name typed
        # as the signature, and the day.
        who = award.accepted_by.get_full_name() or award.accepted_by.get_username()
        summary = (
            f"Accepted by {who} ({award.acceptance_typed_name}) on "
            f"{page.plain(award.accepted_at)}, acknowledging the award's terms and special "
            f"conditions on behalf of {award.recipient}."
        )
    elif accepted:
        last = accepted[-1]
        summary = f"Accepted on {page.plain(last.occurred_at)} by {page.person(last.actor)}."
    elif award.status == Award.Status.OFFERED:
        summary = "Offered; not yet accepted by the recipient."
    elif award.status == Award.Status.DRAFT:
        summary = "Draft; not yet offered to the recipient."
    else:
        summary = f"{award.get_status_display()}; no acceptance is recorded."
    story = [page.heading("5. Acceptance"), page.text(summary, page.BODY)]
    if events:
        story += [
            page.spacer(4),
            page.grid_table(
                ["When", "Event", "By"],
                [
                    (e.occurred_at, LIFECYCLE[e.action], page.person(e.actor) or "system")
                    for e in events
                ],
                widths=[1.8 * inch, 3.0 * inch, page.FRAME_WIDTH - 4.8 * inch],
            ),
        ]
    return story


def _amendments(award: Award) -> list:
    rows = [
        (
            a.number,
            a.get_kind_display(),
            a.get_status_display(),
            a.effective_on or "—",
            a.description,
        )
        for a in award.amendments.order_by("number")
    ]
    if not rows:
        return []
    return [
        page.heading("6. Amendments"),
        page.grid_table(
            ["No.", "Type", "Status", "Effective", "Description"],
            rows,
            widths=[
                0.45 * inch,
                1.4 * inch,
                0.9 * inch,
                0.9 * inch,
                page.FRAME_WIDTH - 3.65 * inch,
            ],
        ),
    ]


def build_award_pdf(award: Award, *, user) -> bytes:
    """The award document: terms, funding by appropriation, the approved budget by
    category A–J, special conditions and acceptance."""
    story = [
        page.title(f"Grant award {award.award_number}"),
        page.text(f"{award.title} · {award.task_force.name}", page.BODY),
        page.spacer(),
        *_terms(award),
        *_funding(award),
        *_budget(award),
        page.heading("4. Special conditions"),
        page.text(award.special_conditions or "None.", page.BODY),
        *_acceptance(award),
        *_amendments(award),
    ]
    return page.render(
        story, document_title=f"Grant award {award.award_number}", user=user, subject=award.title
    )


def award_pdf_filename(award: Award) -> str:
    return f"award-{award.award_number}.pdf"


# --- Amendment notice ------------------------------------------------------------------

# Fields the notice shows in its own words, or not at all.
_NOT_LISTED = {"id", "award"}


def _field_value(obj: models.Model, field: models.Field):
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.name)
    if isinstance(field, models.ForeignKey) and value is not None:
        return page.person(value) if hasattr(value, "get_full_name") else str(value)
    if isinstance(value, dict | list):
        return _flatten(value)
    return value


def _flatten(value) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_flatten(v) for v in value)
    return page.plain(value)


def _label(model: type[models.Model], key: str) -> str:
    try:
        return str(model._meta.get_field(key).verbose_name).capitalize()
    except FieldDoesNotExist:  # a key the model does not (or no longer) have
        return key.replace("_", " ").capitalize()


def _stored(model: type[models.Model], key: str, value) -> str:
    """A value as the audit trail stores it (strings), shown as the field would be:
    amounts as money, dates as mm/dd/yyyy, choices by their label."""
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return _flatten(value)
    try:
        if field.choices and value is not None:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.DecimalField) and value not in (None, ""):
            return page.plain(Decimal(str(value)))
        if isinstance(field, models.DateField) and isinstance(value, str) and value:
            return page.plain(date.fromisoformat(value[:10]))
    except (ArithmeticError, ValueError):  # a stored value of another shape: as stored
        pass
    return _flatten(value)


def _changes(amendment: Amendment) -> list[tuple]:
    """Every before/after the trail holds for the amendment: changes to the amendment
    itself, and to its award where the event's data names the amendment's id
    ({"amendment": pk}). Events with only an "after" (the amendment as recorded) hold
    no change and are left out."""
    award_events = _events_for(amendment.award).filter(data__amendment=amendment.pk)
    rows = []
    events = sorted([*_events_for(amendment), *award_events], key=lambda e: (e.occurred_at, e.pk))
    for event in events:
        before, after = event.data.get("before"), event.data.get("after")
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        model = Award if event.content_type.model_class() is Award else Amendment
        subject = "Award" if model is Award else "Amendment"
        for key in sorted(set(before) | set(after)):
            rows.append(
                (
                    f"{subject}: {_label(model, key)}",
                    _stored(model, key, before.get(key)),
                    _stored(model, key, after.get(key)),
                    f"{page.plain(event.occurred_at)}\n{page.person(event.actor) or 'system'}",
                )
            )
    # A model that keeps its own before/after (e.g. a supplement's amounts) adds them too.
    own_before, own_after = getattr(amendment, "before", None), getattr(amendment, "after", None)
    if isinstance(own_before, dict) and isinstance(own_after, dict):
        for key in sorted(set(own_before) | set(own_after)):
            rows.append(
                (
                    _label(Award, key),
                    _stored(Award, key, own_before.get(key)),
                    _stored(Award, key, own_after.get(key)),
                    "",
                )
            )
    return rows


def build_amendment_pdf(amendment: Amendment, *, user) -> bytes:
    """The notice of one amendment: what it is, what changed (before and after), when it
    takes effect and who approved it. Every field of the model is listed, so fields
    added to amendments later appear without changes here."""
    award = amendment.award
    if amendment.status == Amendment.Status.APPROVED:
        approval = (
            f"Approved on {page.plain(amendment.decided_on) or 'an unrecorded date'}"
            f" by {page.person(amendment.decided_by) or 'an unrecorded person'}."
        )
    else:
        approval = f"{amendment.get_status_display()}; not approved."
    fields = [
        f
        for f in Amendment._meta.concrete_fields
        if f.name not in _NOT_LISTED and not isinstance(f, models.AutoField)
    ]
    story = [
        page.title(f"Notice of award modification: amendment {amendment.number}"),
        page.text(
            f"Award {award.award_number} · {award.recipient.legal_name} · {award.task_force.name}",
            page.BODY,
        ),
        page.spacer(),
        page.key_value_table(
            [
                ("Award number", award.award_number),
                ("Recipient", _recipient(award)),
                ("Amendment", f"No. {amendment.number}: {amendment.get_kind_display()}"),
                ("Effective date", amendment.effective_on or "Not set"),
                ("Approval", approval),
            ]
        ),
        page.heading("What changed"),
    ]
    changes = _changes(amendment)
    if changes:
        story.append(
            page.grid_table(
                ["Item", "Before", "After", "Recorded"],
                changes,
                widths=[1.9 * inch, 1.9 * inch, 1.9 * inch, page.FRAME_WIDTH - 5.7 * inch],
            )
        )
    else:
        story.append(
            page.text(
                "No before-and-after values are recorded for this amendment; its "
                "description below says what it changes.",
                page.BODY,
            )
        )
    story += [
        page.heading("Amendment as recorded"),
        page.key_value_table(
            [(str(f.verbose_name).capitalize(), _field_value(amendment, f)) for f in fields]
        ),
        page.heading("Award terms now"),
        page.key_value_table(
            [
                (
                    "Period of performance",
                    f"{award.period_start:%m/%d/%Y} to {award.period_end:%m/%d/%Y}",
                ),
                ("Federal award amount", award.federal_amount),
                ("Required match", award.match_required),
                ("Status", award.get_status_display()),
            ]
        ),
    ]
    return page.render(
        story,
        document_title=f"Award {award.award_number} · amendment {amendment.number}",
        user=user,
        subject=amendment.get_kind_display(),
    )


def amendment_pdf_filename(amendment: Amendment) -> str:
    return f"amendment-{amendment.award.award_number}-{amendment.number}.pdf"
