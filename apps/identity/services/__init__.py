"""Every write of the identity app (docs/privacy.md).

The functions live in topic modules; this package re-exports the public ones so that
callers (and outbox handler paths such as ``apps.identity.services.inbox_deliver``) use one
stable import path.
"""

from apps.identity.services.audit import access_event_record, access_event_write
from apps.identity.services.inbox import inbox_deliver, inbox_message_mark_read
from apps.identity.services.otp import (
    auth_token_revoke,
    citizen_create,
    otp_purge,
    otp_request,
    otp_verify,
)
from apps.identity.services.profile import (
    reporter_erase,
    reporter_identity_update,
    reporter_set_reveal_restricted,
)
from apps.identity.services.reporters import reporter_create, reporter_new
from apps.identity.services.reveal import (
    identity_reveal,
    reveal_grant,
    reveal_reject,
    reveal_request_create,
)
from apps.identity.services.rotation import (
    blind_index_backfill_pending,
    blind_index_drop_old,
    blind_index_rotate,
    master_key_rotate,
    master_key_rotation_pending,
)

__all__ = [
    "access_event_record",
    "access_event_write",
    "auth_token_revoke",
    "blind_index_backfill_pending",
    "blind_index_drop_old",
    "blind_index_rotate",
    "citizen_create",
    "identity_reveal",
    "inbox_deliver",
    "inbox_message_mark_read",
    "master_key_rotate",
    "master_key_rotation_pending",
    "otp_purge",
    "otp_request",
    "otp_verify",
    "reporter_create",
    "reporter_erase",
    "reporter_identity_update",
    "reporter_new",
    "reporter_set_reveal_restricted",
    "reveal_grant",
    "reveal_reject",
    "reveal_request_create",
]
