from django.urls import path

from reports import export_views, pdf_views, prepared_views

app_name = "exports"

# Each PDF document and its page (.html), the same view (reports/pdf_views.py).
urlpatterns = [
    path(
        "awards/<str:award_number>/sf425/<str:period_end>.pdf",
        pdf_views.sf425_pdf,
        name="sf425_pdf",
    ),
    path("awards/<str:award_number>/award.pdf", pdf_views.award_pdf, name="award_pdf"),
    path(
        "awards/<str:award_number>/amendments/<int:number>.pdf",
        pdf_views.amendment_pdf,
        name="amendment_pdf",
    ),
    path(
        "awards/<str:award_number>/progress/<str:period_end>.pdf",
        pdf_views.progress_pdf,
        name="progress_pdf",
    ),
    path(
        "exports/program-summary/FY<int:fiscal_year>.pdf",
        pdf_views.program_summary_pdf,
        name="program_summary_pdf",
    ),
    path(
        "awards/<str:award_number>/sf425/<str:period_end>.html",
        pdf_views.sf425_pdf,
        {"as_page": True},
        name="sf425_html",
    ),
    path(
        "awards/<str:award_number>/award.html",
        pdf_views.award_pdf,
        {"as_page": True},
        name="award_html",
    ),
    path(
        "awards/<str:award_number>/amendments/<int:number>.html",
        pdf_views.amendment_pdf,
        {"as_page": True},
        name="amendment_html",
    ),
    path(
        "awards/<str:award_number>/progress/<str:period_end>.html",
        pdf_views.progress_pdf,
        {"as_page": True},
        name="progress_html",
    ),
    path(
        "exports/program-summary/FY<int:fiscal_year>.html",
        pdf_views.program_summary_pdf,
        {"as_page": True},
        name="program_summary_html",
    ),
    path("exports/auditor-workbook.xlsx", export_views.program_workbook, name="program_workbook"),
    path(
        "awards/<str:award_number>/workbook.xlsx",
        export_views.award_workbook,
        name="award_workbook",
    ),
    path("awards/<str:award_number>/evidence-pack.zip", export_views.award_pack, name="award_pack"),
    path(
        "task-forces/<slug:code>/evidence-pack.zip",
        export_views.task_force_pack,
        name="task_force_pack",
    ),
    path(
        "fiscal-years/<int:fiscal_year>/evidence-pack.zip",
        export_views.fiscal_year_pack,
        name="fiscal_year_pack",
    ),
    path("downloads/", prepared_views.my_downloads, name="my_downloads"),
    path("downloads/prepare/", prepared_views.prepare, name="prepare_download"),
    path("downloads/<uuid:pk>/", prepared_views.download, name="download"),
    path("downloads/<uuid:pk>/file", prepared_views.download_file, name="download_file"),
    path("downloads/<uuid:pk>/take-run", prepared_views.take_run, name="take_run"),
    # Every table page's download (reports.exports.tables), after the documents above
    # so that /exports/auditor-workbook.xlsx is not taken for a table.
    path("exports/<slug:name>.xlsx", export_views.table_xlsx, name="table"),
    path("exports/<slug:name>/<str:key>.xlsx", export_views.table_xlsx, name="table"),
]
