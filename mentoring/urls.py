from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from programme.core.admin_site import StaffAdminSite

# Every admin page needs a TOTP-verified sign-in. The default site object is
# kept, with the models already registered on it, and only its class changes.
admin.site.__class__ = StaffAdminSite
admin.site.site_header = "Mentoring programme office"
admin.site.site_title = "Mentoring office"
admin.site.index_title = "Programme administration"


def page(template: str) -> TemplateView:
    return TemplateView.as_view(template_name=f"public/{template}.html")


public_patterns = (
    [
        path("", page("home"), name="home"),
        path("how-it-works/", page("how_it_works"), name="how_it_works"),
        path("eligibility/", page("eligibility"), name="eligibility"),
        path("tips/", page("tips"), name="tips"),
        path("privacy/", page("privacy"), name="privacy"),
    ],
    "public",
)

urlpatterns = [
    path("", include(public_patterns)),
    path("", include("programme.applications.urls")),
    path("", include("programme.vetting.urls")),
    path("", include("programme.meetings.urls")),
    path("", include("programme.meetings.year_urls")),
    path("", include("programme.feedback.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "programme.core.errors.permission_denied"
