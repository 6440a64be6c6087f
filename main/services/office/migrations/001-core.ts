// Settings, users, secrets, requests to the sender service and the senders' heartbeats, with the
// rights each role has. Every rule a client could get around is enforced here: by GRANTs (what a
// group may do to a table at all), by row-level security (which rows), and by SECURITY DEFINER
// functions (the few changes a role may make beyond its grants, each checking who is asking).
//
// Identity is `session_user`, the role the connection signed in as: inside a SECURITY DEFINER
// function `current_user` is the function's owner, and SET ROLE cannot change `session_user`.
import type { Migration } from './types';

export const CORE: Migration = {
  version: 1,
  name: 'core',
  sql: String.raw`
-- Nothing in the schema is anyone's by default: each group gets exactly what is granted below.
REVOKE ALL ON SCHEMA mailroom FROM PUBLIC;
GRANT USAGE ON SCHEMA mailroom TO mailroom_admin, mailroom_staff, mailroom_sender;
REVOKE ALL ON mailroom.schema_migrations FROM PUBLIC;
GRANT SELECT ON mailroom.schema_migrations TO mailroom_admin, mailroom_staff, mailroom_sender;

-- Whether the connected login is in a Mailroom group (directly or through another role).
CREATE FUNCTION mailroom.is_member(grp name) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = mailroom, pg_temp
  AS $$ SELECT pg_has_role(session_user, grp, 'MEMBER') $$;

-- ---------------------------------------------------------------------------------------------
-- office: one row, the office's name and the public key every shared secret is sealed to. Only
-- the database owner (mailroom office init) writes it; every group reads it.
CREATE TABLE mailroom.office (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  name text NOT NULL DEFAULT '',
  sender_public_key text,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO mailroom.office DEFAULT VALUES;

-- ---------------------------------------------------------------------------------------------
-- settings: one row, the system settings document without its users (they are rows of
-- mailroom.users), and a revision that grows with every change to the settings or the users.
-- NULL document: nothing saved yet (the defaults apply).
CREATE TABLE mailroom.settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  document jsonb CHECK (document IS NULL OR (jsonb_typeof(document) = 'object' AND NOT document ? 'users')),
  revision bigint NOT NULL DEFAULT 1,
  -- The transaction that last raised the revision: several changes in one transaction raise it once.
  bumped_in bigint,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by name NOT NULL DEFAULT session_user
);
INSERT INTO mailroom.settings DEFAULT VALUES;

-- Every change raises the revision (once per transaction) and records who made it; nobody can
-- set the revision by hand.
CREATE FUNCTION mailroom.settings_before_update() RETURNS trigger
  LANGUAGE plpgsql SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF OLD.bumped_in IS DISTINCT FROM txid_current() THEN
    NEW.revision := OLD.revision + 1;
  ELSE
    NEW.revision := OLD.revision;
  END IF;
  NEW.bumped_in := txid_current();
  NEW.updated_at := now();
  NEW.updated_by := session_user;
  RETURN NEW;
END $$;
CREATE TRIGGER settings_before_update BEFORE UPDATE ON mailroom.settings
  FOR EACH ROW EXECUTE FUNCTION mailroom.settings_before_update();

-- Open dialogs and services LISTEN on mailroom_settings; the payload is the new revision.
CREATE FUNCTION mailroom.settings_notify() RETURNS trigger
  LANGUAGE plpgsql SET search_path = mailroom, pg_temp AS $$
BEGIN
  PERFORM pg_notify('mailroom_settings', NEW.revision::text);
  RETURN NULL;
END $$;
CREATE TRIGGER settings_notify AFTER INSERT OR UPDATE ON mailroom.settings
  FOR EACH ROW EXECUTE FUNCTION mailroom.settings_notify();

-- ---------------------------------------------------------------------------------------------
-- users: the Mailroom users, keyed by their login role. kind says which group the role is in
-- (a trigger below keeps the membership in step); choices holds what each user picks for
-- themselves: {"compose": mode|null, "send": mode|null, "smtpUsername": text}.
CREATE TABLE mailroom.users (
  role name PRIMARY KEY CHECK (role::text <> '' AND role::text NOT LIKE 'pg\_%'
    AND role NOT IN ('mailroom_admin', 'mailroom_staff', 'mailroom_sender', 'public')),
  id text NOT NULL UNIQUE CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  display_name text NOT NULL DEFAULT '',
  email text NOT NULL DEFAULT '',
  kind text NOT NULL CHECK (kind IN ('admin', 'staff', 'sender')),
  choices jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(choices) = 'object'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A user id made from the role name where it can be, else from its digest; unique either way.
CREATE FUNCTION mailroom.user_id_for(r name) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = mailroom, pg_temp AS $$
DECLARE
  plain text := regexp_replace(r::text, '[^A-Za-z0-9_-]', '-', 'g');
BEGIN
  IF length(plain) <= 64 AND plain = r::text AND NOT EXISTS (SELECT 1 FROM mailroom.users WHERE id = plain AND role <> r) THEN
    RETURN plain;
  END IF;
  RETURN 'u-' || substr(md5(r::text), 1, 20);
END $$;

-- A change to the users is a change to the settings document the dialog shows: raise its
-- revision (which notifies mailroom_settings) and notify mailroom_users. Runs as the owner, so a
-- user changing their own choices (through set_my_choices) raises it too.
CREATE FUNCTION mailroom.users_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  UPDATE mailroom.settings SET document = document;
  PERFORM pg_notify('mailroom_users', '');
  RETURN NULL;
END $$;
-- Per row, so a statement that changes no row (an INSERT ... ON CONFLICT DO NOTHING) changes nothing.
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE ON mailroom.users
  FOR EACH ROW EXECUTE FUNCTION mailroom.users_changed();

-- Group membership follows users.kind: a user made an administrator in the dialog gets the
-- administrator's rights in the database, one removed from the users loses its Mailroom group.
-- Roles that do not exist yet (a user listed before their login is made) are left alone.
CREATE FUNCTION mailroom.users_membership() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
DECLARE
  grp text;
  target name := CASE WHEN TG_OP = 'DELETE' THEN OLD.role ELSE NEW.role END;
  wanted text := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE 'mailroom_' || NEW.kind END;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.kind = OLD.kind AND NEW.role = OLD.role THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND NEW.role <> OLD.role THEN
    RAISE EXCEPTION 'A user''s role cannot be renamed; remove the user and add the new role' USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = target) THEN RETURN NULL; END IF;
  FOREACH grp IN ARRAY ARRAY['mailroom_admin', 'mailroom_staff', 'mailroom_sender'] LOOP
    IF grp = wanted THEN
      EXECUTE format('GRANT %I TO %I', grp, target);
    ELSIF EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                  WHERE g.rolname = grp AND u.rolname = target) THEN
      EXECUTE format('REVOKE %I FROM %I', grp, target);
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER users_membership AFTER INSERT OR UPDATE OR DELETE ON mailroom.users
  FOR EACH ROW EXECUTE FUNCTION mailroom.users_membership();

-- ---------------------------------------------------------------------------------------------
-- Saving the settings: only administrators (EXECUTE and the table grants are theirs alone), and
-- only over the revision the caller read, so a save based on settings changed since is refused
-- (SQLSTATE MR001) and nothing is written. A document with "users" replaces the users as well
-- (sender roles are not users of the dialog and are kept); at least one administrator remains.
CREATE FUNCTION mailroom.save_settings(new_document jsonb, base_revision bigint) RETURNS bigint
  LANGUAGE plpgsql SET search_path = mailroom, pg_temp AS $$
DECLARE
  current_revision bigint;
  u jsonb;
  listed name[] := ARRAY[]::name[];
  was_admin boolean;
BEGIN
  SELECT revision INTO current_revision FROM mailroom.settings FOR UPDATE;
  was_admin := EXISTS (SELECT 1 FROM mailroom.users WHERE role = session_user AND kind = 'admin');
  IF current_revision IS DISTINCT FROM base_revision THEN
    RAISE EXCEPTION 'The settings were changed elsewhere since revision %; they are at revision %', base_revision, current_revision
      USING ERRCODE = 'MR001';
  END IF;
  UPDATE mailroom.settings SET document = new_document - 'users';
  IF new_document ? 'users' THEN
    FOR u IN SELECT * FROM jsonb_array_elements(new_document -> 'users') LOOP
      listed := listed || (u ->> 'account')::name;
      INSERT INTO mailroom.users AS t (role, id, display_name, email, kind, choices)
      VALUES ((u ->> 'account')::name, u ->> 'id', coalesce(u ->> 'name', ''), coalesce(u ->> 'email', ''),
              CASE WHEN (u -> 'admin') = 'true'::jsonb THEN 'admin' ELSE 'staff' END,
              jsonb_build_object('compose', u -> 'compose', 'send', u -> 'send', 'smtpUsername', coalesce(u ->> 'smtpUsername', '')))
      ON CONFLICT (role) DO UPDATE SET id = EXCLUDED.id, display_name = EXCLUDED.display_name, email = EXCLUDED.email,
        kind = CASE WHEN t.kind = 'sender' THEN 'sender' ELSE EXCLUDED.kind END,
        choices = t.choices || EXCLUDED.choices, updated_at = now()
      WHERE (t.id, t.display_name, t.email, t.kind, t.choices) IS DISTINCT FROM
            (EXCLUDED.id, EXCLUDED.display_name, EXCLUDED.email, CASE WHEN t.kind = 'sender' THEN 'sender' ELSE EXCLUDED.kind END, t.choices || EXCLUDED.choices);
    END LOOP;
    DELETE FROM mailroom.users WHERE kind <> 'sender' AND NOT (role = ANY (listed));
    -- An administrator cannot save themselves out of the administrators.
    IF was_admin AND NOT EXISTS (SELECT 1 FROM mailroom.users WHERE role = session_user AND kind = 'admin') THEN
      RAISE EXCEPTION 'users: keep yourself (%) as an administrator, or you could no longer change the settings', session_user USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM mailroom.users WHERE kind <> 'sender') AND NOT EXISTS (SELECT 1 FROM mailroom.users WHERE kind = 'admin') THEN
      RAISE EXCEPTION 'Keep at least one administrator, or nobody could change the settings' USING ERRCODE = '22023';
    END IF;
  END IF;
  SELECT revision INTO current_revision FROM mailroom.settings;
  RETURN current_revision;
END $$;

-- A user changes their own choices, and nobody else's. Compose and send modes only while the
-- Email tab allows user selection (mail.composeUserSelectable / mail.sendUserSelectable) and,
-- for the Microsoft 365 modes, while Allow Microsoft 365 web is on; going back to the system's
-- mode (null) is always allowed. Refusals are SQLSTATE 42501 (insufficient privilege).
CREATE FUNCTION mailroom.set_my_choices(new_choices jsonb) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
DECLARE
  mine mailroom.users;
  mail jsonb;
  key text;
  mode text;
BEGIN
  IF jsonb_typeof(new_choices) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'choices: expected an object' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO mine FROM mailroom.users WHERE role = session_user FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% is not a Mailroom user; an administrator adds users', session_user USING ERRCODE = '42501';
  END IF;
  SELECT coalesce(document -> 'mail', '{}') INTO mail FROM mailroom.settings;
  FOR key IN SELECT jsonb_object_keys(new_choices) LOOP
    IF key NOT IN ('compose', 'send', 'smtpUsername') THEN
      RAISE EXCEPTION 'choices.%: unknown choice (known: compose, send, smtpUsername)', key USING ERRCODE = '22023';
    END IF;
  END LOOP;
  IF new_choices ? 'smtpUsername' AND jsonb_typeof(new_choices -> 'smtpUsername') IS DISTINCT FROM 'string' THEN
    RAISE EXCEPTION 'choices.smtpUsername: expected text' USING ERRCODE = '22023';
  END IF;
  IF new_choices ? 'compose' AND jsonb_typeof(new_choices -> 'compose') <> 'null' THEN
    mode := new_choices ->> 'compose';
    IF mode IS NULL OR mode NOT IN ('builtin', 'outlook', 'full-mapi', 'simple-mapi', 'm365-web', 'autodetect') THEN
      RAISE EXCEPTION 'choices.compose: choose one of builtin, outlook, full-mapi, simple-mapi, m365-web, autodetect' USING ERRCODE = '22023';
    END IF;
    IF (mail -> 'composeUserSelectable') IS DISTINCT FROM 'true'::jsonb AND mode IS DISTINCT FROM mine.choices ->> 'compose' THEN
      RAISE EXCEPTION 'choices.compose: the administrator does not allow users to choose how they compose (Email tab, Allow user selection)' USING ERRCODE = '42501';
    END IF;
    IF mode = 'm365-web' AND (mail -> 'allowM365Web') IS DISTINCT FROM 'true'::jsonb THEN
      RAISE EXCEPTION 'choices.compose: Microsoft 365 web is not allowed (Email tab, Allow Microsoft 365 web)' USING ERRCODE = '42501';
    END IF;
  END IF;
  IF new_choices ? 'send' AND jsonb_typeof(new_choices -> 'send') <> 'null' THEN
    mode := new_choices ->> 'send';
    IF mode IS NULL OR mode NOT IN ('smtp', 'outlook', 'full-mapi', 'simple-mapi', 'm365-graph', 'autodetect') THEN
      RAISE EXCEPTION 'choices.send: choose one of smtp, outlook, full-mapi, simple-mapi, m365-graph, autodetect' USING ERRCODE = '22023';
    END IF;
    IF (mail -> 'sendUserSelectable') IS DISTINCT FROM 'true'::jsonb AND mode IS DISTINCT FROM mine.choices ->> 'send' THEN
      RAISE EXCEPTION 'choices.send: the administrator does not allow users to choose how they send (Email tab, Allow user selection)' USING ERRCODE = '42501';
    END IF;
    IF mode = 'm365-graph' AND (mail -> 'allowM365Web') IS DISTINCT FROM 'true'::jsonb THEN
      RAISE EXCEPTION 'choices.send: Microsoft 365 is not allowed (Email tab, Allow Microsoft 365 web)' USING ERRCODE = '42501';
    END IF;
  END IF;
  UPDATE mailroom.users SET choices = choices || new_choices, updated_at = now() WHERE role = session_user;
END $$;

-- Adding a user: an administrator makes the login role, in the group its kind names, and its
-- Mailroom user, in one step. Runs as the database owner (who has CREATEROLE); only
-- mailroom_admin may EXECUTE it, and it checks that again. The password arrives as a SCRAM
-- verifier computed by the client, never in clear, so no log line can hold it. A NULL verifier
-- adopts an existing ordinary login role instead (never a superuser or the owner).
CREATE FUNCTION mailroom.add_user(new_role name, new_kind text, new_name text, new_email text, scram_verifier text) RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
DECLARE
  existing pg_roles;
  new_id text;
BEGIN
  IF NOT mailroom.is_member('mailroom_admin') THEN
    RAISE EXCEPTION 'Adding users needs a Mailroom administrator' USING ERRCODE = '42501';
  END IF;
  IF new_kind IS NULL OR new_kind NOT IN ('admin', 'staff', 'sender') THEN
    RAISE EXCEPTION 'role kind: choose admin, staff or sender' USING ERRCODE = '22023';
  END IF;
  IF new_role IS NULL OR new_role::text = '' OR new_role::text LIKE 'pg\_%' OR new_role::text LIKE 'mailroom\_%' OR new_role = 'public' THEN
    RAISE EXCEPTION 'ROLE: "%" cannot be a Mailroom user''s role', new_role USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM mailroom.users WHERE role = new_role) THEN
    RAISE EXCEPTION 'ROLE: % is already a Mailroom user', new_role USING ERRCODE = '23505';
  END IF;
  SELECT * INTO existing FROM pg_roles WHERE rolname = new_role;
  IF FOUND THEN
    IF scram_verifier IS NOT NULL THEN
      RAISE EXCEPTION 'ROLE: the database role % already exists; add it without a password to make it a Mailroom user', new_role USING ERRCODE = '23505';
    END IF;
    IF existing.rolsuper OR NOT existing.rolcanlogin OR new_role = current_user THEN
      RAISE EXCEPTION 'ROLE: % is not an ordinary login role', new_role USING ERRCODE = '42501';
    END IF;
  ELSE
    IF scram_verifier IS NULL OR scram_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
      RAISE EXCEPTION 'password: expected a SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', new_role, scram_verifier);
  END IF;
  new_id := mailroom.user_id_for(new_role);
  -- The membership trigger grants the group.
  INSERT INTO mailroom.users (role, id, display_name, email, kind) VALUES (new_role, new_id, coalesce(new_name, ''), coalesce(new_email, ''), new_kind);
  RETURN new_id;
END $$;

-- ---------------------------------------------------------------------------------------------
-- secrets: every value is sealed (X25519 + AES-256-GCM, "mrseal1.…") to the office's sender key,
-- so only a sender service can open one. owner NULL: a shared secret (a shared profile's
-- password, a shared mailbox's Microsoft 365 token cache), readable by senders alone. owner set:
-- a user's own password, readable by that user and by senders. Nobody writes the table directly:
-- the functions below decide who may write which row.
CREATE TABLE mailroom.secrets (
  name text NOT NULL CHECK (name <> '' AND length(name) <= 200),
  owner name,
  sealed text NOT NULL CHECK (sealed ~ '^mrseal1(\.[A-Za-z0-9_-]+){3}$'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by name NOT NULL DEFAULT session_user
);
CREATE UNIQUE INDEX secrets_name_owner ON mailroom.secrets (name, (coalesce(owner, '')));

-- Shared secrets: written by administrators (who cannot read them back) and by senders (who
-- refresh a token cache).
CREATE FUNCTION mailroom.set_shared_secret(secret_name text, sealed_value text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NOT (mailroom.is_member('mailroom_admin') OR mailroom.is_member('mailroom_sender')) THEN
    RAISE EXCEPTION 'Saving a shared password or sign-in needs a Mailroom administrator' USING ERRCODE = '42501';
  END IF;
  DELETE FROM mailroom.secrets WHERE name = secret_name AND owner IS NULL;
  INSERT INTO mailroom.secrets (name, owner, sealed) VALUES (secret_name, NULL, sealed_value);
END $$;

CREATE FUNCTION mailroom.delete_shared_secret(secret_name text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NOT (mailroom.is_member('mailroom_admin') OR mailroom.is_member('mailroom_sender')) THEN
    RAISE EXCEPTION 'Removing a shared password or sign-in needs a Mailroom administrator' USING ERRCODE = '42501';
  END IF;
  DELETE FROM mailroom.secrets WHERE name = secret_name AND owner IS NULL;
  RETURN FOUND;
END $$;

-- A user's own secrets: written and removed by that user only.
CREATE FUNCTION mailroom.set_my_secret(secret_name text, sealed_value text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NOT (mailroom.is_member('mailroom_admin') OR mailroom.is_member('mailroom_staff')) THEN
    RAISE EXCEPTION '% is not a Mailroom user', session_user USING ERRCODE = '42501';
  END IF;
  DELETE FROM mailroom.secrets WHERE name = secret_name AND owner = session_user;
  INSERT INTO mailroom.secrets (name, owner, sealed) VALUES (secret_name, session_user, sealed_value);
END $$;

CREATE FUNCTION mailroom.delete_my_secret(secret_name text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  DELETE FROM mailroom.secrets WHERE name = secret_name AND owner = session_user;
  RETURN FOUND;
END $$;

-- Moving a file-mode install (mailroom office import): an administrator places a user's own
-- password once, where that user has none yet; never over one the user saved.
CREATE FUNCTION mailroom.import_user_secret(secret_owner name, secret_name text, sealed_value text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NOT mailroom.is_member('mailroom_admin') THEN
    RAISE EXCEPTION 'Importing needs a Mailroom administrator' USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM mailroom.users WHERE role = secret_owner) THEN
    RAISE EXCEPTION '% is not a Mailroom user', secret_owner USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM mailroom.secrets WHERE name = secret_name AND owner = secret_owner) THEN RETURN false; END IF;
  INSERT INTO mailroom.secrets (name, owner, sealed) VALUES (secret_name, secret_owner, sealed_value);
  RETURN true;
END $$;

-- Which secrets are set, never their values: the shared ones and the caller's own. The dialog
-- shows "password saved" from this.
CREATE FUNCTION mailroom.secret_names() RETURNS TABLE (name text, shared boolean, updated_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
  SELECT s.name, s.owner IS NULL, s.updated_at FROM mailroom.secrets s
  WHERE (s.owner IS NULL OR s.owner = session_user)
    AND (mailroom.is_member('mailroom_admin') OR mailroom.is_member('mailroom_staff') OR mailroom.is_member('mailroom_sender'))
  ORDER BY 1, 2
$$;

-- ---------------------------------------------------------------------------------------------
-- requests: Test connection and Send test of a shared profile, carried out by a sender service
-- (only it can open the profile's password). Administrators and staff ask and see their own
-- requests; senders see and answer all of them.
CREATE TABLE mailroom.requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('test-connection', 'send-test')),
  profile_id text NOT NULL CHECK (profile_id <> ''),
  payload jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  requested_by name NOT NULL DEFAULT session_user,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done')),
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX requests_queued ON mailroom.requests (created_at) WHERE state <> 'done';

-- The asker is whoever signed in: requested_by cannot be given.
CREATE FUNCTION mailroom.requests_before_insert() RETURNS trigger
  LANGUAGE plpgsql SET search_path = mailroom, pg_temp AS $$
BEGIN
  NEW.requested_by := session_user;
  NEW.state := 'queued';
  NEW.result := NULL;
  NEW.finished_at := NULL;
  NEW.created_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER requests_before_insert BEFORE INSERT ON mailroom.requests
  FOR EACH ROW EXECUTE FUNCTION mailroom.requests_before_insert();

-- Senders wake on a new request; askers learn of the answer. The payload is the request's id.
CREATE FUNCTION mailroom.requests_notify() RETURNS trigger
  LANGUAGE plpgsql SET search_path = mailroom, pg_temp AS $$
BEGIN
  PERFORM pg_notify('mailroom_requests', NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER requests_notify AFTER INSERT OR UPDATE ON mailroom.requests
  FOR EACH ROW EXECUTE FUNCTION mailroom.requests_notify();

-- ---------------------------------------------------------------------------------------------
-- senders: the heartbeat of each running sender service. Each sender writes its own rows;
-- everyone reads them (the dialog shows the senders seen in the last minute).
CREATE TABLE mailroom.senders (
  role name NOT NULL DEFAULT session_user,
  instance text NOT NULL CHECK (instance <> ''),
  host text NOT NULL DEFAULT '',
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (role, instance)
);

-- ---------------------------------------------------------------------------------------------
-- Grants: what each group may do to each table at all. Writes not granted here go through the
-- functions above.
REVOKE ALL ON mailroom.office, mailroom.settings, mailroom.users, mailroom.secrets, mailroom.requests, mailroom.senders FROM PUBLIC;
GRANT SELECT ON mailroom.office, mailroom.settings, mailroom.users, mailroom.secrets, mailroom.requests, mailroom.senders
  TO mailroom_admin, mailroom_staff, mailroom_sender;
GRANT UPDATE (name) ON mailroom.office TO mailroom_admin;
GRANT UPDATE (document) ON mailroom.settings TO mailroom_admin;
GRANT INSERT, UPDATE, DELETE ON mailroom.users TO mailroom_admin;
GRANT INSERT (kind, profile_id, payload) ON mailroom.requests TO mailroom_admin, mailroom_staff;
GRANT UPDATE (state, result, finished_at) ON mailroom.requests TO mailroom_sender;
GRANT INSERT, UPDATE, DELETE ON mailroom.senders TO mailroom_sender;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mailroom FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mailroom.is_member(name), mailroom.secret_names() TO mailroom_admin, mailroom_staff, mailroom_sender;
GRANT EXECUTE ON FUNCTION mailroom.save_settings(jsonb, bigint), mailroom.add_user(name, text, text, text, text),
  mailroom.import_user_secret(name, text, text), mailroom.user_id_for(name) TO mailroom_admin;
GRANT EXECUTE ON FUNCTION mailroom.set_my_choices(jsonb), mailroom.set_my_secret(text, text), mailroom.delete_my_secret(text)
  TO mailroom_admin, mailroom_staff;
GRANT EXECUTE ON FUNCTION mailroom.set_shared_secret(text, text), mailroom.delete_shared_secret(text) TO mailroom_admin, mailroom_sender;

-- ---------------------------------------------------------------------------------------------
-- Row-level security, forced on the owner too. The owner (who runs init and these migrations)
-- keeps every row through its own policy; the SECURITY DEFINER functions run as the owner.
ALTER TABLE mailroom.office ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.office FORCE ROW LEVEL SECURITY;
ALTER TABLE mailroom.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.settings FORCE ROW LEVEL SECURITY;
ALTER TABLE mailroom.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.users FORCE ROW LEVEL SECURITY;
ALTER TABLE mailroom.secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.secrets FORCE ROW LEVEL SECURITY;
ALTER TABLE mailroom.requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.requests FORCE ROW LEVEL SECURITY;
ALTER TABLE mailroom.senders ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.senders FORCE ROW LEVEL SECURITY;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['office', 'settings', 'users', 'secrets', 'requests', 'senders'] LOOP
    EXECUTE format('CREATE POLICY owner_all ON mailroom.%I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END $$;

-- office, settings, users: every Mailroom group reads; administrators change (within their grants).
CREATE POLICY read_all ON mailroom.office FOR SELECT TO mailroom_admin, mailroom_staff, mailroom_sender USING (true);
CREATE POLICY admin_update ON mailroom.office FOR UPDATE TO mailroom_admin USING (true) WITH CHECK (true);
CREATE POLICY read_all ON mailroom.settings FOR SELECT TO mailroom_admin, mailroom_staff, mailroom_sender USING (true);
CREATE POLICY admin_update ON mailroom.settings FOR UPDATE TO mailroom_admin USING (true) WITH CHECK (true);
CREATE POLICY read_all ON mailroom.users FOR SELECT TO mailroom_admin, mailroom_staff, mailroom_sender USING (true);
CREATE POLICY admin_write ON mailroom.users FOR ALL TO mailroom_admin USING (true) WITH CHECK (true);

-- secrets: senders read every row; anyone else only their own (never a shared one).
CREATE POLICY sender_read ON mailroom.secrets FOR SELECT TO mailroom_sender USING (true);
CREATE POLICY own_read ON mailroom.secrets FOR SELECT TO mailroom_admin, mailroom_staff USING (owner IS NOT NULL AND owner = session_user);

-- requests: askers insert and read their own; senders read and answer all.
CREATE POLICY own_insert ON mailroom.requests FOR INSERT TO mailroom_admin, mailroom_staff WITH CHECK (requested_by = session_user AND state = 'queued');
CREATE POLICY own_read ON mailroom.requests FOR SELECT TO mailroom_admin, mailroom_staff USING (requested_by = session_user);
CREATE POLICY sender_read ON mailroom.requests FOR SELECT TO mailroom_sender USING (true);
CREATE POLICY sender_update ON mailroom.requests FOR UPDATE TO mailroom_sender USING (true) WITH CHECK (true);

-- senders: everyone reads; a sender writes only rows of its own role.
CREATE POLICY read_all ON mailroom.senders FOR SELECT TO mailroom_admin, mailroom_staff, mailroom_sender USING (true);
CREATE POLICY own_write ON mailroom.senders FOR ALL TO mailroom_sender USING (role = session_user) WITH CHECK (role = session_user);
`,
};
