from django.urls import path

from budgets import ledger_import_views, views

app_name = "budgets"

urlpatterns = [
    path("awards/new/", views.award_create, name="award_create"),
    path("awards/import-history/", views.history_import, name="history_import"),
    path(
        "awards/import-history/<str:sha256>/",
        views.history_import_review,
        name="history_import_review",
    ),
    path("awards/<str:award_number>/ledger/", views.award_ledger, name="award_ledger"),
    path(
        "awards/<str:award_number>/ledger/new/<slug:kind>/", views.entry_create, name="entry_create"
    ),
    path(
        "awards/<str:award_number>/ledger/<int:entry_id>/reverse/",
        views.entry_reverse,
        name="entry_reverse",
    ),
    path(
        "awards/<str:award_number>/ledger/import/",
        ledger_import_views.ledger_import,
        name="ledger_import",
    ),
    path(
        "awards/<str:award_number>/ledger/import/template.<str:fmt>",
        ledger_import_views.ledger_import_template,
        name="ledger_import_template",
    ),
    path(
        "awards/<str:award_number>/ledger/import/<str:sha256>/",
        ledger_import_views.ledger_import_review,
        name="ledger_import_review",
    ),
    path("awards/<str:award_number>/drawdowns/new/", views.drawdown_create, name="drawdown_create"),
    path("drawdowns/", views.drawdown_queue, name="drawdown_queue"),
    path("drawdowns/asap-payments/", views.asap_payment_import, name="asap_payment_import"),
    path(
        "drawdowns/asap-payments/<str:sha256>/",
        views.asap_payment_review,
        name="asap_payment_review",
    ),
    path(
        "drawdowns/<int:drawdown_id>/<slug:action>/", views.drawdown_decide, name="drawdown_decide"
    ),
]
