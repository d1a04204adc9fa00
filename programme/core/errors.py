"""Error pages: staff get them inside the admin's layout, everyone else in the public one."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith(reverse("admin:index")):
        context = {**admin.site.each_context(request), "title": "You cannot open this page"}
        return render(request, "admin/403.html", context, status=403)
    return render(request, "403.html", status=403)
