from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import report_views, views

app_name = "api"

urlpatterns = [
    path("v1/task-forces/", views.TaskForceList.as_view(), name="task_forces"),
    path("v1/task-forces/<slug:code>/", views.TaskForceDetail.as_view(), name="task_force"),
    path("v1/appropriations/", views.AppropriationList.as_view(), name="appropriations"),
    path("v1/appropriations/<int:pk>/", views.AppropriationDetail.as_view(), name="appropriation"),
    path("v1/awards/", views.AwardList.as_view(), name="awards"),
    path("v1/awards/<str:award_number>/", views.AwardDetail.as_view(), name="award"),
    path(
        "v1/awards/<str:award_number>/balances/",
        views.AwardBalances.as_view(),
        name="award_balances",
    ),
    path(
        "v1/awards/<str:award_number>/ledger-entries/",
        views.LedgerEntryList.as_view(),
        name="award_ledger",
    ),
    path(
        "v1/awards/<str:award_number>/drawdown-requests/",
        views.DrawdownCreate.as_view(),
        name="award_drawdown_create",
    ),
    path(
        "v1/ledger-entries/<int:pk>/reversal/",
        views.EntryReversal.as_view(),
        name="entry_reversal",
    ),
    path(
        "v1/awards/<str:award_number>/terms/", report_views.AwardTerms.as_view(), name="award_terms"
    ),
    path(
        "v1/awards/<str:award_number>/sf425/<str:period_end>/",
        report_views.AwardSF425.as_view(),
        name="award_sf425",
    ),
    path(
        "v1/awards/<str:award_number>/progress-reports/<str:period_end>/",
        report_views.ProgressReportFiling.as_view(),
        name="award_progress_filing",
    ),
    path(
        "v1/awards/<str:award_number>/progress-reports/<str:period_end>/draft/",
        report_views.ProgressReportDraft.as_view(),
        name="award_progress_draft",
    ),
    path("v1/reports-due/", report_views.ReportsDue.as_view(), name="reports_due"),
    path(
        "v1/progress-reports/", report_views.ProgressReportList.as_view(), name="progress_reports"
    ),
    path(
        "v1/progress-reports/<int:pk>/",
        report_views.ProgressReportDetail.as_view(),
        name="progress_report",
    ),
    path("v1/drawdown-requests/", views.DrawdownList.as_view(), name="drawdowns"),
    path("v1/drawdown-requests/<int:pk>/", views.DrawdownDetail.as_view(), name="drawdown"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Last: whatever else is asked under v1/.
    re_path(r"^v1/", views.UnknownPath.as_view(), name="unknown"),
]
