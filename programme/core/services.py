"""State changes that belong to no single stage: audit events and rate limits."""

import datetime
import hashlib
import hmac
import logging

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from programme.core.models import AuditEvent, RateLimitCounter

logger = logging.getLogger(__name__)


def record_event(
    action: str,
    *,
    actor=None,
    target: models.Model | None = None,
) -> AuditEvent:
    """Write one audit event. Only the object's type and id are kept, never its content."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
    )


def hash_client_key(raw_key: str) -> str:
    """Return a keyed hash of a client address, so the rate-limit table stores no address."""
    secret = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(secret, raw_key.encode("utf-8"), hashlib.sha256).hexdigest()


def register_hit(*, scope: str, raw_key: str, limit: int, window: datetime.timedelta) -> bool:
    """Count one request for this client and return whether it is within the limit.

    Windows are fixed and aligned to the epoch. Counters from earlier windows
    are deleted as new ones start, so the table stays small.
    """
    now = timezone.now()
    window_seconds = int(window.total_seconds())
    start_epoch = int(now.timestamp()) // window_seconds * window_seconds
    window_start = datetime.datetime.fromtimestamp(start_epoch, tz=datetime.UTC)
    key_hash = hash_client_key(raw_key)

    with transaction.atomic():
        counter, created = RateLimitCounter.objects.get_or_create(
            scope=scope, key_hash=key_hash, window_start=window_start, defaults={"count": 1}
        )
        if not created:
            RateLimitCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)
            counter.refresh_from_db(fields=["count"])
        else:
            RateLimitCounter.objects.filter(scope=scope, window_start__lt=window_start).delete()

    if counter.count > limit:
        logger.warning("Rate limit reached for scope %s (%s requests)", scope, counter.count)
        return False
    return True
