"""Model fields that store their value encrypted, and a blind index beside it.

An encrypted column contains a Fernet token, so the database can neither compare
nor search it: every look-up except ``isnull`` raises ``FieldError``, and the
admin must never sort, filter or search on one.
"""

from django.core.exceptions import FieldError
from django.db import models

from programme.core.crypto import blind_index, decrypt_text, encrypt_text


class EncryptedFieldMixin:
    """Encrypt on the way into the database and decrypt on the way out."""

    allowed_lookups = frozenset({"isnull"})

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        # Ciphertext is longer than the plaintext limit, so the column is
        # always unbounded text; max_length still validates the plaintext.
        return models.TextField().db_type(connection)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt_text(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt_text(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in self.allowed_lookups:
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted and cannot be queried with "
                f"'{lookup_name}'. Use its blind index for exact matches."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted and cannot be transformed with "
            f"'{lookup_name}'."
        )


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    """Single-line text, limited to max_length characters before encryption."""


class EncryptedEmailField(EncryptedFieldMixin, models.EmailField):
    """An e-mail address, stored encrypted; pair it with a BlindIndexField."""


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """Multi-line text, stored encrypted."""


class BlindIndexField(models.CharField):
    """HMAC of another field's value, recomputed whenever the row is saved.

    ``pre_save`` runs for ``save()``, ``bulk_create()`` and ``bulk_update()``,
    so the index cannot drift from the address it stands for.
    """

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("db_index", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        source_value = getattr(model_instance, self.source)
        value = blind_index(source_value) if source_value else ""
        setattr(model_instance, self.attname, value)
        return value


def encrypted_field_names(model) -> set[str]:
    """Return the names of a model's encrypted fields."""
    return {field.name for field in model._meta.fields if isinstance(field, EncryptedFieldMixin)}
