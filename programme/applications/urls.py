from django.urls import path, register_converter

from programme.applications import views
from programme.applications.models import Role


class RoleConverter:
    regex = "|".join(Role.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(RoleConverter, "role")

app_name = "applications"
urlpatterns = [
    path("apply/<role:role>/", views.apply, name="apply"),
    path("apply/<role:role>/thank-you/", views.thanks, name="thanks"),
    path("confirm-address/<str:token>/", views.confirm, name="confirm"),
]
