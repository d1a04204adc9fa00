"""Admin search that finds people by exact e-mail address through the blind index.

Encrypted columns cannot be searched by the database, so the search box takes
a whole e-mail address (matched on either of a person's addresses) or a
record number, and nothing else.
"""

from django.contrib import admin
from django.db.models import Q, QuerySet

from programme.core.crypto import blind_index
from programme.core.fields import encrypted_field_names


class BlindIndexSearchMixin:
    """Match the search term as an exact e-mail address or as a record number.

    ``person_path`` is the path from the admin's model to the Person: empty on
    Person itself, ``"person__"`` on a model with a ``person`` foreign key.
    """

    person_path = ""
    search_help_text = "Search by a whole e-mail address (either of a person's two) or by number."

    def get_search_results(self, request, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(pk=int(term)), False
        if not self.can_search_by_email(request):
            # A match would confirm whose address it is to someone not allowed to see it.
            return queryset.none(), False
        index = blind_index(term)
        matches = Q(**{f"{self.person_path}primary_email_index": index}) | Q(
            **{f"{self.person_path}secondary_email_index": index}
        )
        return queryset.filter(matches), False

    def can_search_by_email(self, request) -> bool:
        return True


class ReadableAdmin(admin.ModelAdmin):
    """Base class that keeps list pages free of sorting on encrypted columns."""

    def get_sortable_by(self, request):
        encrypted = encrypted_field_names(self.model)
        return [name for name in self.get_list_display(request) if name not in encrypted]


class ViewOnlyAdmin(ReadableAdmin):
    """Base class for records staff may read but never add, change or delete here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
