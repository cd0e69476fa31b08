from django.urls import path

from api import pages

app_name = "api_tokens"

urlpatterns = [
    path("account/api-tokens/", pages.token_list, name="list"),
    path("account/api-tokens/<int:token_id>/revoke/", pages.token_revoke, name="revoke"),
]
