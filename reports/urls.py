from django.urls import path

from reports import chart_views, feeds, pdf_views, reminder_views, views

app_name = "reports"

urlpatterns = [
    path("awards/<str:award_number>/reports/", views.award_reports, name="award_reports"),
    path("awards/<str:award_number>/charts/", chart_views.award_charts, name="award_charts"),
    path("fiscal-years/charts/", chart_views.program_charts, name="program_charts"),
    path("awards/<str:award_number>/reports/close/", views.award_close, name="award_close"),
    path(
        "awards/<str:award_number>/sf425/<str:period_end>/", views.sf425_detail, name="sf425_detail"
    ),
    path(
        "awards/<str:award_number>/progress/<str:period_end>/",
        views.progress_detail,
        name="progress_detail",
    ),
    path(
        "awards/<str:award_number>/reports/<slug:kind>/<str:period_end>/",
        views.report_detail,
        name="report_detail",
    ),
    path(
        "awards/<str:award_number>/reports/<slug:kind>/<str:period_end>.pdf",
        pdf_views.report_pdf,
        name="report_pdf",
    ),
    path(
        "awards/<str:award_number>/reports/<slug:kind>/<str:period_end>.html",
        pdf_views.report_pdf,
        {"as_page": True},
        name="report_html",
    ),
    path("reports/<slug:kind>/<int:report_id>/review/", views.report_review, name="report_review"),
    path(
        "reports/<slug:kind>/<int:report_id>/comments/", views.report_comment, name="report_comment"
    ),
    path("reports/calendar/", views.reporting_calendar_page, name="calendar"),
    path("reports/measures/", views.measures_page, name="measures"),
    path("reports/reminders/", reminder_views.reminder_list, name="reminders"),
    path("reports/calendar/feed/", feeds.calendar_feed_settings, name="calendar_feed_settings"),
    path("reports/calendar/<slug:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
