"""IdentityAccessEvent is append-only: a trigger refuses UPDATE and DELETE for every role.

Only the table owner can bypass it (``ALTER TABLE ... DISABLE TRIGGER``); in production the
application role should not own the table (docs/privacy.md, "Audit log"). The hash chain
(``manage.py verify_identity_audit``) detects what a table owner or superuser changes anyway.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION identity_access_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'identity_identityaccessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER identity_access_event_append_only
    BEFORE UPDATE OR DELETE ON identity_identityaccessevent
    FOR EACH ROW EXECUTE FUNCTION identity_access_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS identity_access_event_append_only ON identity_identityaccessevent;
DROP FUNCTION IF EXISTS identity_access_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("identity", "0003_identity_vault_audit_reveal")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
