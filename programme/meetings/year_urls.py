"""Check-in answer links, certificate downloads and the public certificate check."""

from django.urls import path

from programme.meetings import year_views

app_name = "year"

urlpatterns = [
    path("check-in/<str:token>/", year_views.checkin_answer, name="checkin_answer"),
    path(
        "portal/certificates/<int:certificate_id>/pdf/",
        year_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("certificates/verify/", year_views.verify, name="verify"),
]
