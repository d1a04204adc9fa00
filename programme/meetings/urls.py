from django.urls import path

from programme.meetings import views

app_name = "meetings"

# Names anyone may open; every other page here needs a signed-in participant.
PUBLIC_NAMES = frozenset({"sign_in", "sign_in_sent", "use_link", "sign_out"})

urlpatterns = [
    path("portal/", views.home, name="home"),
    path("portal/sign-in/", views.sign_in, name="sign_in"),
    path("portal/sign-in/sent/", views.sign_in_sent, name="sign_in_sent"),
    path("portal/sign-in/<str:token>/", views.use_link, name="use_link"),
    path("portal/sign-out/", views.sign_out, name="sign_out"),
    path("portal/pairings/<int:pairing_id>/", views.pairing_detail, name="pairing"),
    path("portal/pairings/<int:pairing_id>/meetings/new/", views.meeting_add, name="meeting_add"),
    path("portal/meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("portal/meetings/<int:meeting_id>/delete/", views.meeting_delete, name="meeting_delete"),
    path("portal/withdraw/", views.withdraw, name="withdraw"),
    path("portal/my-data/", views.my_data, name="my_data"),
    path("portal/my-data.json", views.my_data_json, name="my_data_json"),
]
