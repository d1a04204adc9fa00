from django.urls import path

from programme.vetting import views

app_name = "vetting"
urlpatterns = [
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("mentors/", views.mentors, name="mentors"),
    path("mentors/renew/<str:token>/", views.renew, name="renew"),
]
