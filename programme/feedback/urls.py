from django.urls import path

from programme.feedback import views

app_name = "feedback"

urlpatterns = [
    # Public: the signed token in the path is the key, so no sign-in is needed.
    path("feedback/<str:token>/", views.respond, name="respond"),
]
