"""Allocation pages as people use them: forms, the import, publishing, downloads."""

from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from allocations.models import AllocationRun, FactorData
from grants.audit import AuditEvent
from grants.models import Award
from tests import factories
from tests.allocations.helpers import make_factors, make_run, program_run

HEADER = "Task force code,Population,Investigative leads,Cases referred,Successful prosecutions,Training and outreach,Need score"


def _workbook(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def _run_form(program, **overrides):
    data = {
        "appropriation": program.appropriation.pk,
        "name": "Leads-heavy",
        "pool": "",
        "formula_pct": "80",
        "floor_pct": "0.5",
        "floor_mode": "additive",
        "match_pct": "25",
        "weight_population": "20",
        "weight_leads": "50",
        "weight_cases_referred": "10",
        "weight_prosecutions": "10",
        "weight_training": "10",
        "period_start": "",
        "period_end": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_program_manager_computes_a_scenario_from_the_form(client, program):
    make_factors(program.pm, program.task_force_a, value=300, need="3")
    make_factors(program.pm, program.task_force_b, value=100, need="1")
    client.force_login(program.pm)
    response = client.post(reverse("allocations:run_create"), _run_form(program))
    run = AllocationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    # Blank pool: all that is left of the appropriation, $500,000.
    assert (run.pool, run.formula_funds, run.need_funds) == (
        Decimal("500000.00"),
        Decimal("400000.00"),
        Decimal("100000.00"),
    )
    page = client.get(run.get_absolute_url()).content.decode()
    assert (
        "Leads-heavy" in page and "$500,000.00" in page and "Publish: create 2 draft awards" in page
    )
    assert (
        f"Publishing makes this scenario FY{run.fiscal_year}'s allocation and creates 2 "
        "draft awards sharing $500,000.00, period " in page
    )


def test_bad_weights_and_non_numbers_are_shown_on_the_form_and_change_nothing(client, program):
    make_factors(program.pm, program.task_force_a)
    make_factors(program.pm, program.task_force_b)
    client.force_login(program.pm)
    url = reverse("allocations:run_create")
    response = client.post(url, _run_form(program, weight_leads="-50", weight_population="120"))
    form = response.context["form"]
    assert form.errors["weight_leads"] == ["A weight cannot be negative."]
    response = client.post(url, _run_form(program, weight_leads="45"))
    assert response.context["form"].non_field_errors() == [
        "The weights add up to 95%; they must add up to 100%."
    ]
    response = client.post(url, _run_form(program, formula_pct="seventy-five"))
    assert response.context["form"].errors["formula_pct"] == ["Enter a number."]
    response = client.post(url, _run_form(program, formula_pct="74"))
    assert response.context["form"].errors["formula_pct"] == [
        "At least 75% of the pool goes out by formula (34 U.S.C. 21116); 74% is too little."
    ]
    assert not AllocationRun.objects.exists()
    edit = reverse("allocations:factor_edit", args=[2025, program.task_force_a.code])
    response = client.post(
        edit,
        {
            "population": "lots",
            "leads": "1",
            "cases_referred": "1",
            "prosecutions": "-1",
            "training": "1",
            "need_score": "1",
        },
    )
    assert response.context["form"].errors == {
        "population": ["Enter a whole number."],
        "prosecutions": ["Ensure this value is greater than or equal to 0."],
    }
    assert FactorData.objects.get(task_force=program.task_force_a).population == 100


def test_publish_and_waive_through_the_pages(client, program):
    run = program_run(program)
    client.force_login(program.pm)
    waive = reverse("allocations:run_waive", args=[run.pk])
    client.post(
        waive, {"task_force": program.task_force_b.pk, "reason": "Good cause: new task force"}
    )
    assert run.lines.get(task_force=program.task_force_b).match_waived
    response = client.post(reverse("allocations:run_publish", args=[run.pk]), follow=True)
    assert "Published “Baseline”: 2 draft awards created for FY2025." in response.content.decode()
    assert Award.objects.filter(allocation_line__run=run).count() == 2
    # Published: no more waivers, and the page offers no publish button.
    response = client.post(
        waive, {"task_force": program.task_force_a.pk, "reason": "x"}, follow=True
    )
    assert "a published allocation does not change" in response.content.decode()
    assert 'data-testid="publish"' not in client.get(run.get_absolute_url()).content.decode()
    # Another draft of the same year is kept for comparison, without a publish button.
    other = make_run(program.pm, program.appropriation, name="Alternative", pool="100000.00")
    page = client.get(other.get_absolute_url()).content.decode()
    assert 'data-testid="publish"' not in page
    assert "FY2025's allocation is already published: <a href=" in page


def test_finance_officers_see_no_scenario_and_approvers_cannot_publish(client, program):
    run = program_run(program)
    client.force_login(program.officer_a)
    assert client.get(reverse("allocations:run_list")).status_code == 403
    assert client.get(run.get_absolute_url()).status_code == 404
    client.force_login(program.approver)
    assert client.post(reverse("allocations:run_publish", args=[run.pk])).status_code == 403
    client.force_login(program.auditor)
    assert client.get(run.get_absolute_url()).status_code == 200
    assert client.post(reverse("allocations:run_publish", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert (
        run.status == "draft" and not Award.objects.filter(allocation_line__isnull=False).exists()
    )


def test_import_csv_and_xlsx(client, program):
    client.force_login(program.pm)
    url = reverse("allocations:factor_import")
    csv = (
        f'{HEADER}\n{program.task_force_a.code},"8,600,000",1200,300,210,4000,12.5\n'
        f"{program.task_force_b.code},6000000,900,250,100,2500,7\n"
    )
    response = client.post(
        url, {"fiscal_year": "2025", "file": SimpleUploadedFile("f.csv", csv.encode())}
    )
    assert response.status_code == 302
    a = FactorData.objects.get(task_force=program.task_force_a, fiscal_year=2025)
    assert (a.population, a.need_score, a.source) == (
        8600000,
        Decimal("12.50"),
        "Imported from f.csv",
    )
    event = AuditEvent.objects.get(action="allocations.factors.imported")
    assert (event.data["created"], event.data["updated"], event.data["filename"]) == (2, 0, "f.csv")

    wb = Workbook()
    ws = wb.active
    ws.append(["State", *HEADER.split(",")])
    ws.append(["VA", program.task_force_a.code, 8700000, 1300, 310, 220, 4100, 13])
    content = BytesIO()
    wb.save(content)
    response = client.post(
        url, {"fiscal_year": "2025", "file": SimpleUploadedFile("f.xlsx", content.getvalue())}
    )
    assert response.status_code == 302
    assert FactorData.objects.get(task_force=program.task_force_a).population == 8700000


def test_import_with_errors_names_each_cell_and_changes_nothing(client, program):
    make_factors(program.pm, program.task_force_a, value=5)
    client.force_login(program.pm)
    csv = (
        f"{HEADER}\n"
        f"{program.task_force_a.code},1000,abc,3,4,5,6\n"
        "no-such-force,1,2,3,4,5,6\n"
        f"{program.task_force_b.code},1000,2,3.5,-4,,6.123\n"
        f"{program.task_force_a.code},1,2,3,4,5,6\n"
    )
    response = client.post(
        reverse("allocations:factor_import"),
        {"fiscal_year": "2025", "file": SimpleUploadedFile("f.csv", csv.encode())},
    )
    assert response.status_code == 200
    assert response.context["cell_errors"] == [
        "Row 2, column C (Investigative leads): “abc” is not a whole number.",
        "Row 3, column A (Task force code): no task force has the code “no-such-force”.",
        "Row 4, column D (Cases referred): “3.5” is not a whole number.",
        "Row 4, column E (Successful prosecutions): -4 is negative; enter zero or more.",
        "Row 4, column F (Training and outreach): the cell is empty; enter 0 if there is none.",
        "Row 4, column G (Need score): 6.123 has more than 2 decimal places.",
        f"Row 5, column A (Task force code): {program.task_force_a.code} appears again (first on row 2).",
    ]
    assert FactorData.objects.get().population == 5 and FactorData.objects.count() == 1
    assert not AuditEvent.objects.filter(action="allocations.factors.imported").exists()
    for name, content, message in [
        ("f.txt", b"x", "Upload an .xlsx or .csv file."),
        (
            "f.xlsx",
            b"not a workbook",
            "The file is named .xlsx but is text, not a workbook (is it a CSV file? name it .csv).",
        ),
        (
            "f.csv",
            b"Population,Need score\n1,2\n",
            "Row 1 must name the columns; missing: "
            "Task force code, Investigative leads, Cases referred, Successful prosecutions, "
            "Training and outreach.",
        ),
    ]:
        response = client.post(
            reverse("allocations:factor_import"),
            {"fiscal_year": "2025", "file": SimpleUploadedFile(name, content)},
        )
        assert response.context["cell_errors"] == [message]


def test_allocation_workbook_holds_the_lines_and_ties_out_to_the_pool(client, program):
    run = program_run(program)
    client.force_login(program.auditor)
    wb = _workbook(client.get(reverse("exports:table", args=["allocation_run", run.pk])))
    ws = wb["Allocation"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:8] == (
        "State",
        "Task force code",
        "Task force",
        "Weighted share (%)",
        "Floor",
        "Formula share",
        "Need-based",
        "Total",
    )
    by_code = {r[1]: r for r in rows[1:-1]}
    a = by_code[program.task_force_a.code]
    # Pool $400,000: formula $300,000, floors $1,500, A has 3/4 of everything.
    assert a[4:9] == (1500, 222750, 75000, 299250, 18750)
    assert a[11:13] == (0, 299250)  # no FY2024 award: all of it is a change
    assert sum(r[7] for r in rows[1:-1]) == 400000
    assert ws["H2"].number_format == "#,##0.00" and ws["H2"].data_type == "n"
    assert rows[-1][0] == "Total" and rows[-1][7] == "=SUM(H2:H3)"
    about = dict(wb["About"].iter_rows(values_only=True))
    assert about["Pool"] == "400,000.00" and about["Rows in Allocation"] == "2"
    assert (
        AuditEvent.objects.get(action="reports.export.downloaded").data["export"]
        == "allocation_run"
    )
    # Filters are honoured.
    wb = _workbook(
        client.get(reverse("exports:table", args=["allocation_run", run.pk]), {"state": "MD"})
    )
    assert [r[1] for r in list(wb["Allocation"].iter_rows(values_only=True))[1:-1]] == [
        program.task_force_b.code
    ]


def test_compare_page_and_workbook_put_scenarios_side_by_side(client, program):
    base = program_run(program)
    other = make_run(
        program.pm,
        program.appropriation,
        name="All formula",
        pool="400000.00",
        formula_pct=Decimal("100"),
    )
    client.force_login(program.approver)
    page = client.get(reverse("allocations:compare"), {"fiscal_year": "2025"}).content.decode()
    assert "Baseline: total" in page and "All formula: total" in page
    wb = _workbook(
        client.get(
            reverse("exports:table", args=["allocation_comparison"]),
            {"fiscal_year": "2025", "runs": [base.pk, other.pk]},
        )
    )
    rows = list(wb["Comparison"].iter_rows(values_only=True))
    assert rows[0][:9] == (
        "State",
        "Task force",
        "Last year's award",
        "Baseline: floor",
        "Baseline: formula share",
        "Baseline: need-based",
        "Baseline: match",
        "Baseline: total",
        "Baseline: change",
    )
    a = next(r for r in rows if r[1] == program.task_force_a.name)
    # All formula: floor $2,000, A gets 3/4 of the other $396,000 → $299,000, no match.
    assert a[2:9] == (0, 1500, 222750, 75000, 18750, 299250, 299250)
    assert a[9:15] == (2000, 297000, 0, 0, 299000, 299000)


def test_factor_workbook_goes_back_in_through_the_import(client, program):
    make_factors(program.pm, program.task_force_a, value=7, need="2.5")
    make_factors(program.pm, program.task_force_b, value=9)
    client.force_login(program.pm)
    wb = _workbook(
        client.get(reverse("exports:table", args=["allocation_factors"]), {"fiscal_year": "2025"})
    )
    ws = wb["Factor data"]
    assert [c.value for c in ws[1]][3:] == [*HEADER.split(","), "Source"]
    assert ws["K2"].value == "Entered by hand"
    ws.cell(row=2, column=5, value=4242)  # row 2 is Bravo (MD sorts before VA)
    del wb["About"]
    content = BytesIO()
    wb.save(content)
    response = client.post(
        reverse("allocations:factor_import"),
        {"fiscal_year": "2026", "file": SimpleUploadedFile("back.xlsx", content.getvalue())},
    )
    assert response.status_code == 302
    assert FactorData.objects.filter(fiscal_year=2026).count() == 2
    imported = {f.task_force: f for f in FactorData.objects.filter(fiscal_year=2026)}
    assert (imported[program.task_force_b].population, imported[program.task_force_b].leads) == (
        4242,
        9,
    )
    assert imported[program.task_force_a].need_score == Decimal("2.50")


def test_scenario_page_queries_do_not_grow_with_task_forces(client, program):
    client.force_login(program.auditor)
    small = program_run(program)
    with CaptureQueriesContext(connection) as few:
        assert client.get(small.get_absolute_url()).status_code == 200
    for i in range(10):
        task_force = factories.make_task_force(f"Extra {i}", f"zz-extra-{i}", "ZZ")
        make_factors(program.pm, task_force, value=10 + i)
    large = make_run(program.pm, program.appropriation, name="Twelve", pool="400000.00")
    with CaptureQueriesContext(connection) as many:
        assert client.get(large.get_absolute_url()).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_factor_and_line_pages_filter_by_state_and_task_force_name(client, program):
    run = program_run(program)
    client.force_login(program.pm)

    def codes(url, query):
        return [row.record.task_force.code for row in client.get(url, query).context["table"].rows]

    factors_url = reverse("allocations:factor_list")
    assert codes(factors_url, {"state": "md"}) == [program.task_force_b.code]
    assert codes(factors_url, {"task_force": "alpha"}) == [program.task_force_a.code]
    lines_url = reverse("allocations:run_detail", args=[run.pk])
    assert codes(lines_url, {"state": "va"}) == [program.task_force_a.code]
    assert codes(lines_url, {"task_force": "BRAVO"}) == [program.task_force_b.code]
    assert codes(lines_url, {"state": "TX"}) == []


def test_factor_and_scenario_lists_read_in_the_same_queries_however_long(client, program):
    client.force_login(program.pm)
    run = program_run(program)
    pages = [
        reverse("allocations:factor_list"),
        reverse("allocations:run_list"),
        run.get_absolute_url(),
    ]

    def counts():
        found = []
        for url in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured))
        return found

    few = counts()
    for i in range(5):
        task_force = factories.make_task_force(f"Extra {i}", f"zz-extra-{i}", "ZZ")
        make_factors(program.pm, task_force, value=10 + i)
        make_run(program.pm, program.appropriation, name=f"Scenario {i}", pool="400000.00")
    run = make_run(program.pm, program.appropriation, name="Last", pool="400000.00")
    pages[2] = run.get_absolute_url()
    assert counts() == few
