"""Demo reports in every state, filed through the services with their clock set to
the day each was filed: on time and accepted, late, returned, awaiting review, final."""

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from demo.ledger import finance_officer
from grants.models import Award
from reports import services
from reports.calendar import DueReport, reporting_calendar
from reports.models import MEASURES, FinancialReport, ProgressReport
from reports.report_types import FINANCIAL_REPORT, PROGRESS_REPORT


def _measures(award: Award, period_end: date) -> dict[str, int]:
    """Plausible counts that differ by task force and period."""
    seed = (award.pk * 7919 + period_end.toordinal()) % 997
    base = {
        "complaints_received": 40,
        "cybertips_received": 180,
        "investigations_opened": 60,
        "arrests": 12,
        "search_warrants": 35,
        "forensic_exams": 50,
        "cases_referred": 14,
        "cases_prosecuted": 9,
        "children_identified": 6,
        "technical_assistance": 20,
        "trainings": 5,
        "training_attendees": 140,
        "outreach_events": 8,
        "outreach_attendees": 900,
        "investigators": 6,
        "prosecutors": 2,
        "forensic_examiners": 3,
        "education_specialists": 1,
        "affiliate_agencies": 45,
    }
    return {
        name: base[name] * (70 + (seed + i * 37) % 61) // 100
        for i, (name, _) in enumerate(MEASURES)
    }


def _file_sf425(award: Award, due: DueReport, officer: User, filed_on: date):
    certifier = {
        "certifier_name": officer.get_full_name() or officer.username,
        "certifier_title": "Finance officer",
        "certifier_phone": "555-0100",
        "certifier_email": officer.email or "finance@example.gov",
    }

    def submit(remarks: str = ""):
        return services.sf425_submit(
            actor=officer,
            award=award,
            period_end=due.period_end,
            certifier=certifier,
            today=filed_on,
            remarks=remarks,
        )

    # Remarks only where the service asks for them (cash on hand at the period end).
    try:
        return submit()
    except ValidationError:
        return submit("Cash drawn at quarter end for the next payroll, paid within 10 days.")


def _file_progress(award: Award, due: DueReport, officer: User, filed_on: date):
    return services.progress_submit(
        actor=officer,
        award=award,
        period_end=due.period_end,
        today=filed_on,
        narrative={
            "accomplishments": "Investigations, forensic examinations and community outreach as planned; "
            "see the measures.",
            "challenges": "Forensic backlog grew with CyberTipline volume.",
            "next_steps": "Train two affiliate agencies in mobile extraction.",
        },
        measures=_measures(award, due.period_end),
    )


# How the demo fills in each report type; a type without a sample is left unfiled.
SAMPLES = {FINANCIAL_REPORT.key: _file_sf425, PROGRESS_REPORT.key: _file_progress}


def file_history(
    award: Award,
    *,
    pm: User,
    today: date,
    skip_last: bool = False,
    return_last: bool = False,
    late_progress: bool = False,
    leave_last_unreviewed: bool = False,
) -> int:
    """File every report of `award` due before `today` (and final reports once the
    period has ended). `skip_last`, `return_last` and `leave_last_unreviewed` concern
    the last SF-425; `late_progress` files progress reports late. Returns how many were
    filed."""
    if (
        FinancialReport.objects.filter(award=award).exists()
        or ProgressReport.objects.filter(award=award).exists()
    ):
        return 0
    officer = finance_officer(award)
    ready = [
        r
        for r in reporting_calendar(award)
        if (r.due_on < today or (r.is_final and r.period_end < today)) and r.kind in SAMPLES
    ]
    last_sf425 = max(
        (r for r in ready if r.report_type is FINANCIAL_REPORT),
        key=lambda r: r.period_end,
        default=None,
    )
    filed = 0
    for due in ready:
        is_last = due is last_sf425
        if skip_last and is_last:
            continue
        filed_on = due.due_on - timedelta(days=3)
        if late_progress and due.report_type is PROGRESS_REPORT and not due.is_final:
            filed_on = due.due_on + timedelta(days=12)
        filed_on = min(max(filed_on, due.period_end + timedelta(days=1)), today)
        report = SAMPLES[due.kind](award, due, officer, filed_on)
        filed += 1
        if is_last and leave_last_unreviewed:
            continue
        if is_last and return_last:
            services.report_review(
                actor=pm,
                report=report,
                accept=False,
                comment="Line 10b does not match the disbursement ledger you sent; please correct.",
            )
            continue
        services.report_review(actor=pm, report=report, accept=True)
    return filed
