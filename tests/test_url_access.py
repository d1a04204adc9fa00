"""Every URL is either declared public or sits behind the staff login."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open, by their namespaced URL name.
PUBLIC_URL_NAMES = {
    "public:home",
    "public:how_it_works",
    "public:eligibility",
    "public:tips",
    "public:privacy",
    "applications:apply",
    "applications:thanks",
    "applications:confirm",
}
# Everything under this prefix is Django's admin, which requires a staff login.
STAFF_PREFIX = "admin/"


def walk(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern)


def test_every_url_is_public_or_staff_only():
    undeclared = []
    for name, route in walk(get_resolver()):
        if name in PUBLIC_URL_NAMES:
            continue
        if route.startswith(STAFF_PREFIX):
            continue
        undeclared.append((name, route))

    assert undeclared == []


def test_every_declared_public_name_exists():
    names = {name for name, _ in walk(get_resolver())}

    assert PUBLIC_URL_NAMES - names == set()


@pytest.mark.django_db
def test_admin_index_requires_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
