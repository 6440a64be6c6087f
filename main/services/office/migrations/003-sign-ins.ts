// Microsoft 365 sign-ins of shared profiles. The token cache itself is a shared secret
// (mailroom.secrets, "oauth-cache:<profile id>", sealed to the sender key): an administrator
// writes it at sign-in and cannot read it back; the sender services open it, refresh it and write
// it back. What the dialog shows about a sign-in (who, with which permissions until when, for
// which connection) is kept beside it in mailroom.sign_ins, without any token, so that
// administrators and staff can see it.
//
// Identity is `session_user` (see 001-core.ts).
import type { Migration } from './types';

export const SIGN_INS: Migration = {
  version: 3,
  name: 'sign-ins',
  sql: String.raw`
-- ---------------------------------------------------------------------------------------------
-- sign_ins: one row per signed-in profile. scopes and expires_at are those of the access token
-- its sends use (none is stored here, nor any refresh token: the columns hold only names, times
-- and the profile's connection fields, each bounded in length); refreshable says whether the
-- cache can get a new one without anyone signing in. login_url and connection are what the
-- sign-in was made for: a token goes to no other app registration, tenant or server.
CREATE TABLE mailroom.sign_ins (
  profile_id text PRIMARY KEY CHECK (profile_id <> '' AND length(profile_id) <= 200),
  account text NOT NULL DEFAULT '' CHECK (length(account) <= 320),
  display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 256),
  tenant_id text NOT NULL DEFAULT '' CHECK (length(tenant_id) <= 256),
  scopes text[] NOT NULL DEFAULT '{}' CHECK (cardinality(scopes) <= 32 AND length(array_to_string(scopes, ' ')) <= 2000),
  expires_at timestamptz,
  refreshable boolean NOT NULL DEFAULT false,
  login_url text NOT NULL DEFAULT '' CHECK (length(login_url) <= 300),
  connection jsonb CHECK (connection IS NULL OR (jsonb_typeof(connection) = 'object' AND length(connection::text) <= 4000)),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by name NOT NULL DEFAULT session_user
);

-- Saving a summary: administrators (at sign-in) and senders (after a refresh). Only the keys of a
-- summary are taken, and of the connection only the profile's connection fields: nothing else
-- (a token) can be slipped in.
CREATE FUNCTION mailroom.set_sign_in(profile text, summary jsonb) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
DECLARE
  key text;
BEGIN
  IF NOT (mailroom.is_member('mailroom_admin') OR mailroom.is_member('mailroom_sender')) THEN
    RAISE EXCEPTION 'Saving a Microsoft 365 sign-in needs a Mailroom administrator' USING ERRCODE = '42501';
  END IF;
  IF jsonb_typeof(summary) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'summary: expected an object' USING ERRCODE = '22023';
  END IF;
  FOR key IN SELECT jsonb_object_keys(summary) LOOP
    IF key NOT IN ('account', 'displayName', 'tenantId', 'scopes', 'expiresAt', 'refreshable', 'loginUrl', 'connection') THEN
      RAISE EXCEPTION 'summary.%: not part of a sign-in summary', key USING ERRCODE = '22023';
    END IF;
  END LOOP;
  IF jsonb_typeof(summary -> 'connection') = 'object' THEN
    FOR key IN SELECT jsonb_object_keys(summary -> 'connection') LOOP
      IF key NOT IN ('host', 'port', 'security', 'minTls', 'verifyCert', 'caFile', 'auth', 'authModel', 'username', 'credentials',
                     'oauthProvider', 'tenant', 'clientId', 'sendMethod') THEN
        RAISE EXCEPTION 'summary.connection.%: not a connection field', key USING ERRCODE = '22023';
      END IF;
    END LOOP;
  END IF;
  INSERT INTO mailroom.sign_ins AS s (profile_id, account, display_name, tenant_id, scopes, expires_at, refreshable, login_url, connection)
  VALUES (profile, coalesce(summary ->> 'account', ''), coalesce(summary ->> 'displayName', ''), coalesce(summary ->> 'tenantId', ''),
          coalesce((SELECT array_agg(x) FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(summary -> 'scopes') = 'array' THEN summary -> 'scopes' ELSE '[]' END) x), '{}'),
          (summary ->> 'expiresAt')::timestamptz, coalesce((summary ->> 'refreshable')::boolean, false), coalesce(summary ->> 'loginUrl', ''),
          CASE WHEN jsonb_typeof(summary -> 'connection') = 'object' THEN summary -> 'connection' END)
  ON CONFLICT (profile_id) DO UPDATE SET account = EXCLUDED.account, display_name = EXCLUDED.display_name, tenant_id = EXCLUDED.tenant_id,
    scopes = EXCLUDED.scopes, expires_at = EXCLUDED.expires_at, refreshable = EXCLUDED.refreshable, login_url = EXCLUDED.login_url,
    connection = EXCLUDED.connection, updated_at = now(), updated_by = session_user;
END $$;

CREATE FUNCTION mailroom.delete_sign_in(profile text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NOT (mailroom.is_member('mailroom_admin') OR mailroom.is_member('mailroom_sender')) THEN
    RAISE EXCEPTION 'Removing a Microsoft 365 sign-in needs a Mailroom administrator' USING ERRCODE = '42501';
  END IF;
  DELETE FROM mailroom.sign_ins WHERE profile_id = profile;
  RETURN FOUND;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Grants: everyone reads (the dialog's sign-in panel); writes go through the functions above.
REVOKE ALL ON mailroom.sign_ins FROM PUBLIC;
GRANT SELECT ON mailroom.sign_ins TO mailroom_admin, mailroom_staff, mailroom_sender;
REVOKE ALL ON FUNCTION mailroom.set_sign_in(text, jsonb), mailroom.delete_sign_in(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mailroom.set_sign_in(text, jsonb), mailroom.delete_sign_in(text) TO mailroom_admin, mailroom_sender;

-- Row-level security, forced on the owner too (whose SECURITY DEFINER functions keep every row).
ALTER TABLE mailroom.sign_ins ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.sign_ins FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_all ON mailroom.sign_ins TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
CREATE POLICY read_all ON mailroom.sign_ins FOR SELECT TO mailroom_admin, mailroom_staff, mailroom_sender USING (true);
`,
};
