// The shared outbox: every user queues into one table, and any number of sender services claim,
// send and record. Rights are the database's: a user sees and queues only their own messages (an
// administrator and the senders see all); nobody changes a message directly; the few changes a
// role may make (cancel, retry, claim, renew, finish, release) are SECURITY DEFINER functions that
// check who is asking. The per-minute limit of a profile is held here too, for all senders
// together, by a window of send slots taken under an advisory lock.
//
// Identity is `session_user` (see 001-core.ts). A sender's lease names its instance; a message
// whose lease lapsed (its sender died mid-send) is claimed again, marked as a possible duplicate,
// with its Message-ID unchanged.
import type { Migration } from './types';

export const OUTBOX: Migration = {
  version: 2,
  name: 'outbox',
  sql: String.raw`
-- ---------------------------------------------------------------------------------------------
-- outbox: one row per message. raw is the whole MIME message as the queueing client built it
-- (its Message-ID header is message_id, fixed for life); profile is the saved profile it was
-- queued for, copied by the database at insert (never the client's word, and never a secret).
CREATE TABLE mailroom.outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  batch_id uuid NOT NULL DEFAULT gen_random_uuid(),
  owner name NOT NULL DEFAULT session_user,
  kind text NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'alert')),
  profile_id text NOT NULL CHECK (profile_id <> ''),
  profile jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(profile) = 'object'),
  message_id text NOT NULL CHECK (message_id ~ '^<[^<>[:space:]]+>$'),
  subject text NOT NULL DEFAULT '',
  header_to text[] NOT NULL DEFAULT '{}',
  envelope jsonb NOT NULL CHECK (jsonb_typeof(envelope -> 'from') = 'string' AND jsonb_typeof(envelope -> 'to') = 'array'
    AND jsonb_array_length(envelope -> 'to') > 0),
  raw bytea NOT NULL,
  size integer GENERATED ALWAYS AS (octet_length(raw)) STORED,
  attachment_bytes bigint NOT NULL DEFAULT 0 CHECK (attachment_bytes >= 0),
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled')),
  reason text CHECK (reason IN ('too-large', 'permanent', 'expired', 'config')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- When the retry period started: the first queueing, or the user's last retry.
  retry_since timestamptz NOT NULL DEFAULT now(),
  lease_owner text,
  lease_until timestamptz,
  possible_duplicate boolean NOT NULL DEFAULT false,
  -- [{address, state: pending|accepted|rejected, reply?, at?}]: each envelope recipient's outcome.
  recipients jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(recipients) = 'array'),
  advice jsonb,
  last_reply text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'sending') = (lease_owner IS NOT NULL AND lease_until IS NOT NULL))
);
CREATE INDEX outbox_due ON mailroom.outbox (next_attempt_at, created_at) WHERE state = 'queued';
CREATE INDEX outbox_leases ON mailroom.outbox (lease_until) WHERE state = 'sending';
CREATE INDEX outbox_owner ON mailroom.outbox (owner, updated_at DESC);
CREATE INDEX outbox_updated ON mailroom.outbox (updated_at DESC);
CREATE INDEX outbox_batch ON mailroom.outbox (batch_id);

-- What the client may not choose: whose message it is, its state and history, the profile copy
-- (taken from the saved settings: a message cannot carry a host or a limit of its own), and the
-- recipients' outcomes (each envelope recipient starts pending).
CREATE FUNCTION mailroom.outbox_before_insert() RETURNS trigger
  LANGUAGE plpgsql SET search_path = mailroom, pg_temp AS $$
DECLARE
  saved jsonb;
  limit_mb numeric;
BEGIN
  NEW.owner := session_user;
  NEW.state := 'queued';
  NEW.reason := NULL;
  NEW.attempts := 0;
  NEW.next_attempt_at := now();
  NEW.retry_since := now();
  NEW.lease_owner := NULL;
  NEW.lease_until := NULL;
  NEW.possible_duplicate := false;
  NEW.advice := NULL;
  NEW.last_reply := '';
  NEW.created_at := now();
  NEW.updated_at := now();
  SELECT p INTO saved FROM mailroom.settings s, jsonb_array_elements(coalesce(s.document -> 'smtp' -> 'profiles', '[]')) p
    WHERE p ->> 'id' = NEW.profile_id;
  IF saved IS NULL THEN
    RAISE EXCEPTION 'profile_id: no saved server profile "%"; an administrator saves it on the SMTP tab', NEW.profile_id USING ERRCODE = '22023';
  END IF;
  NEW.profile := saved;
  SELECT coalesce(jsonb_agg(jsonb_build_object('address', a, 'state', 'pending')), '[]') INTO NEW.recipients
    FROM jsonb_array_elements_text(NEW.envelope -> 'to') a;
  -- Attachments over the profile's limit are held at once: "queued" would promise a send that cannot happen.
  limit_mb := coalesce((saved ->> 'maxAttachmentsMb')::numeric, 0);
  IF limit_mb > 0 AND NEW.attachment_bytes > limit_mb * 1048576 THEN
    NEW.state := 'failed';
    NEW.reason := 'too-large';
    NEW.advice := jsonb_build_object(
      'code', 'message-too-large',
      'title', 'The attachments are too large',
      'cause', format('The attachments total %s MB; this profile allows %s MB.', round(NEW.attachment_bytes / 1048576.0, 2), round(limit_mb, 2)),
      'fix', 'Send the attachments in smaller parts, or raise the profile''s maximum if the server accepts more.');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER outbox_before_insert BEFORE INSERT ON mailroom.outbox
  FOR EACH ROW EXECUTE FUNCTION mailroom.outbox_before_insert();

-- Senders LISTEN on mailroom_outbox and wake on "queued" (something may be due now); open dialogs
-- refresh on any payload. Notifications with the same payload in one transaction arrive once.
CREATE FUNCTION mailroom.outbox_notify() RETURNS trigger
  LANGUAGE plpgsql SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NEW.state = 'queued' AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM 'queued' OR OLD.next_attempt_at IS DISTINCT FROM NEW.next_attempt_at) THEN
    PERFORM pg_notify('mailroom_outbox', 'queued');
  ELSE
    PERFORM pg_notify('mailroom_outbox', 'changed');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT OR UPDATE ON mailroom.outbox
  FOR EACH ROW EXECUTE FUNCTION mailroom.outbox_notify();

-- ---------------------------------------------------------------------------------------------
-- send_slots: when each message of a profile started, by the database's clock, for the
-- per-minute limit across every sender.
CREATE TABLE mailroom.send_slots (
  profile_id text NOT NULL,
  taken_at timestamptz NOT NULL,
  message uuid,
  sender text NOT NULL DEFAULT ''
);
CREATE INDEX send_slots_profile ON mailroom.send_slots (profile_id, taken_at);

-- ---------------------------------------------------------------------------------------------
-- Senders: claim due messages (and those whose sender's lease lapsed), skipping rows another
-- sender is claiming this instant, and never the profiles the caller is waiting on.
CREATE FUNCTION mailroom.claim_messages(sender text, max integer, lease_seconds integer, skip_profiles text[] DEFAULT '{}')
  RETURNS SETOF mailroom.outbox
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NOT mailroom.is_member('mailroom_sender') THEN
    RAISE EXCEPTION 'Only a sender service (a member of mailroom_sender) claims messages; % is not one', session_user USING ERRCODE = '42501';
  END IF;
  IF sender IS NULL OR sender = '' THEN
    RAISE EXCEPTION 'sender: name this sender instance' USING ERRCODE = '22023';
  END IF;
  IF max IS NULL OR max < 1 OR max > 1000 THEN
    RAISE EXCEPTION 'max: claim from 1 to 1000 messages at a time' USING ERRCODE = '22023';
  END IF;
  IF lease_seconds IS NULL OR lease_seconds < 1 OR lease_seconds > 3600 THEN
    RAISE EXCEPTION 'lease_seconds: use from 1 to 3600 seconds' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY
  WITH picked AS (
    SELECT o.id FROM mailroom.outbox o
    WHERE ((o.state = 'queued' AND o.next_attempt_at <= now()) OR (o.state = 'sending' AND o.lease_until < now()))
      AND NOT (o.profile_id = ANY (coalesce(skip_profiles, '{}')))
    ORDER BY o.next_attempt_at, o.created_at
    LIMIT max
    FOR UPDATE SKIP LOCKED
  )
  UPDATE mailroom.outbox o SET
    possible_duplicate = o.possible_duplicate OR o.state = 'sending',
    last_reply = CASE WHEN o.state = 'sending'
      THEN 'The sender service stopped while this message was being sent; it is sent again and may arrive twice.'
      ELSE o.last_reply END,
    state = 'sending',
    lease_owner = sender,
    lease_until = now() + make_interval(secs => lease_seconds),
    attempts = o.attempts + 1,
    updated_at = now()
  FROM picked WHERE o.id = picked.id
  RETURNING o.*;
END $$;

-- Extends the caller's leases; returns the ids it still holds (a lease another sender took over
-- is gone for good: the caller must not record an outcome for it).
CREATE FUNCTION mailroom.renew_lease(sender text, ids uuid[], lease_seconds integer) RETURNS SETOF uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NOT mailroom.is_member('mailroom_sender') THEN
    RAISE EXCEPTION 'Only a sender service renews leases' USING ERRCODE = '42501';
  END IF;
  IF lease_seconds IS NULL OR lease_seconds < 1 OR lease_seconds > 3600 THEN
    RAISE EXCEPTION 'lease_seconds: use from 1 to 3600 seconds' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY
  UPDATE mailroom.outbox o SET lease_until = now() + make_interval(secs => lease_seconds)
  WHERE o.id = ANY (ids) AND o.state = 'sending' AND o.lease_owner = sender
  RETURNING o.id;
END $$;

-- Records what an attempt came to, only while the caller still holds the message: its lease is
-- held until another sender takes the message over. outcome: {state: sent|queued|failed|unknown,
-- recipients, last_reply, advice, reason, retry_in_ms}. Returns whether it was recorded.
CREATE FUNCTION mailroom.finish_message(message uuid, sender text, outcome jsonb) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
DECLARE
  next_state text := outcome ->> 'state';
BEGIN
  IF NOT mailroom.is_member('mailroom_sender') THEN
    RAISE EXCEPTION 'Only a sender service records outcomes' USING ERRCODE = '42501';
  END IF;
  IF next_state IS NULL OR next_state NOT IN ('sent', 'queued', 'failed', 'unknown') THEN
    RAISE EXCEPTION 'outcome.state: one of sent, queued, failed, unknown' USING ERRCODE = '22023';
  END IF;
  IF outcome ? 'recipients' AND jsonb_typeof(outcome -> 'recipients') <> 'array' THEN
    RAISE EXCEPTION 'outcome.recipients: expected an array' USING ERRCODE = '22023';
  END IF;
  UPDATE mailroom.outbox o SET
    state = next_state,
    reason = CASE WHEN next_state = 'failed' THEN outcome ->> 'reason' ELSE NULL END,
    recipients = coalesce(outcome -> 'recipients', o.recipients),
    last_reply = coalesce(outcome ->> 'last_reply', o.last_reply),
    advice = CASE WHEN outcome ? 'advice' THEN nullif(outcome -> 'advice', 'null'::jsonb) ELSE o.advice END,
    next_attempt_at = CASE WHEN next_state = 'queued'
      THEN clock_timestamp() + make_interval(secs => greatest(0, coalesce((outcome ->> 'retry_in_ms')::double precision, 0)) / 1000.0)
      ELSE o.next_attempt_at END,
    lease_owner = NULL,
    lease_until = NULL,
    updated_at = now()
  WHERE o.id = message AND o.state = 'sending' AND o.lease_owner = sender;
  RETURN FOUND;
END $$;

-- Gives a claimed message back untried (the sender is stopping, or the profile's rate window is
-- full): queued again, due after delay_ms, and the claim not counted as an attempt.
CREATE FUNCTION mailroom.release_message(message uuid, sender text, delay_ms integer DEFAULT 0) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
BEGIN
  IF NOT mailroom.is_member('mailroom_sender') THEN
    RAISE EXCEPTION 'Only a sender service releases messages' USING ERRCODE = '42501';
  END IF;
  UPDATE mailroom.outbox o SET
    state = 'queued',
    attempts = greatest(0, o.attempts - 1),
    next_attempt_at = greatest(o.next_attempt_at, clock_timestamp() + make_interval(secs => greatest(0, coalesce(delay_ms, 0)) / 1000.0)),
    lease_owner = NULL,
    lease_until = NULL,
    updated_at = now()
  WHERE o.id = message AND o.state = 'sending' AND o.lease_owner = sender;
  RETURN FOUND;
END $$;

-- ---------------------------------------------------------------------------------------------
-- The per-minute limit across all senders: under a lock per profile, count the slots taken in
-- the last window (sliding, by the database's clock). With room, take one and return 0; else
-- return the milliseconds until the oldest slot of the window leaves it. So in every window at
-- most per_minute messages of the profile start, whichever senders start them. window_ms is 60 s
-- for "per minute"; tests shorten it to prove the rule in seconds.
CREATE FUNCTION mailroom.take_send_slot(profile_id text, per_minute integer, window_ms integer DEFAULT 60000, message uuid DEFAULT NULL, sender text DEFAULT '')
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
DECLARE
  t timestamptz;
  win interval;
  taken integer;
  oldest timestamptz;
BEGIN
  IF NOT mailroom.is_member('mailroom_sender') THEN
    RAISE EXCEPTION 'Only a sender service takes send slots' USING ERRCODE = '42501';
  END IF;
  IF per_minute IS NULL OR per_minute <= 0 THEN RETURN 0; END IF;
  IF window_ms IS NULL OR window_ms < 1 OR window_ms > 3600000 THEN
    RAISE EXCEPTION 'window_ms: use from 1 to 3600000' USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('mailroom.send_slot:' || take_send_slot.profile_id));
  -- Read the clock after the lock: the wait for it must not make the window look emptier.
  t := clock_timestamp();
  win := make_interval(secs => window_ms / 1000.0);
  SELECT count(*) INTO taken FROM mailroom.send_slots s WHERE s.profile_id = take_send_slot.profile_id AND s.taken_at > t - win;
  IF taken < per_minute THEN
    INSERT INTO mailroom.send_slots (profile_id, taken_at, message, sender) VALUES (take_send_slot.profile_id, t, take_send_slot.message, coalesce(take_send_slot.sender, ''));
    -- Slots older than an hour can no longer matter.
    DELETE FROM mailroom.send_slots s WHERE s.profile_id = take_send_slot.profile_id AND s.taken_at < t - interval '1 hour' - win;
    RETURN 0;
  END IF;
  SELECT s.taken_at INTO oldest FROM mailroom.send_slots s WHERE s.profile_id = take_send_slot.profile_id AND s.taken_at > t - win
    ORDER BY s.taken_at DESC OFFSET per_minute - 1 LIMIT 1;
  RETURN greatest(1, ceil(extract(epoch FROM (oldest + win - t)) * 1000)::integer + 1);
END $$;

-- ---------------------------------------------------------------------------------------------
-- What users may do to messages: cancel one still queued, or queue one that ended again. Staff
-- act on their own messages only, administrators on anyone's. Returns the state afterwards, or
-- NULL when the caller cannot see such a message.
CREATE FUNCTION mailroom.cancel_message(message uuid) RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
DECLARE
  msg mailroom.outbox;
  admin boolean := mailroom.is_member('mailroom_admin');
BEGIN
  IF NOT (admin OR mailroom.is_member('mailroom_staff')) THEN
    RAISE EXCEPTION '% is not a Mailroom user', session_user USING ERRCODE = '42501';
  END IF;
  SELECT * INTO msg FROM mailroom.outbox o WHERE o.id = message AND (admin OR o.owner = session_user) FOR UPDATE;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF msg.state <> 'queued' THEN RETURN msg.state; END IF;
  UPDATE mailroom.outbox o SET state = 'cancelled', updated_at = now() WHERE o.id = message;
  RETURN 'cancelled';
END $$;

CREATE FUNCTION mailroom.retry_message(message uuid) RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailroom, pg_temp AS $$
DECLARE
  msg mailroom.outbox;
  admin boolean := mailroom.is_member('mailroom_admin');
  saved jsonb;
  limit_mb numeric;
BEGIN
  IF NOT (admin OR mailroom.is_member('mailroom_staff')) THEN
    RAISE EXCEPTION '% is not a Mailroom user', session_user USING ERRCODE = '42501';
  END IF;
  SELECT * INTO msg FROM mailroom.outbox o WHERE o.id = message AND (admin OR o.owner = session_user) FOR UPDATE;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF msg.state IN ('sending', 'sent') THEN RETURN msg.state; END IF;
  -- Still too large for the profile as saved now: it would only be held again.
  IF msg.reason = 'too-large' THEN
    SELECT p INTO saved FROM mailroom.settings s, jsonb_array_elements(coalesce(s.document -> 'smtp' -> 'profiles', '[]')) p WHERE p ->> 'id' = msg.profile_id;
    limit_mb := coalesce((saved ->> 'maxAttachmentsMb')::numeric, 0);
    IF saved IS NULL OR (limit_mb > 0 AND msg.attachment_bytes > limit_mb * 1048576) THEN RETURN msg.state; END IF;
  END IF;
  -- Refused recipients get another chance; accepted ones never a second copy. The retry period starts over.
  UPDATE mailroom.outbox o SET
    state = 'queued',
    reason = NULL,
    next_attempt_at = now(),
    retry_since = CASE WHEN msg.state = 'queued' THEN o.retry_since ELSE now() END,
    recipients = (SELECT coalesce(jsonb_agg(CASE WHEN r ->> 'state' = 'rejected' THEN jsonb_build_object('address', r ->> 'address', 'state', 'pending') ELSE r END), '[]')
                  FROM jsonb_array_elements(o.recipients) r),
    updated_at = now()
  WHERE o.id = message;
  RETURN 'queued';
END $$;

-- ---------------------------------------------------------------------------------------------
-- Grants. Users insert (their own rows, by the trigger and the policy) and read; nobody updates
-- or deletes directly.
REVOKE ALL ON mailroom.outbox, mailroom.send_slots FROM PUBLIC;
GRANT SELECT ON mailroom.outbox TO mailroom_admin, mailroom_staff, mailroom_sender;
GRANT INSERT (id, batch_id, kind, profile_id, message_id, subject, header_to, envelope, raw, attachment_bytes) ON mailroom.outbox
  TO mailroom_admin, mailroom_staff;
GRANT SELECT ON mailroom.send_slots TO mailroom_admin, mailroom_sender;

REVOKE ALL ON FUNCTION mailroom.outbox_before_insert(), mailroom.outbox_notify(),
  mailroom.claim_messages(text, integer, integer, text[]), mailroom.renew_lease(text, uuid[], integer),
  mailroom.finish_message(uuid, text, jsonb), mailroom.release_message(uuid, text, integer),
  mailroom.take_send_slot(text, integer, integer, uuid, text), mailroom.cancel_message(uuid), mailroom.retry_message(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mailroom.claim_messages(text, integer, integer, text[]), mailroom.renew_lease(text, uuid[], integer),
  mailroom.finish_message(uuid, text, jsonb), mailroom.release_message(uuid, text, integer),
  mailroom.take_send_slot(text, integer, integer, uuid, text) TO mailroom_sender;
GRANT EXECUTE ON FUNCTION mailroom.cancel_message(uuid), mailroom.retry_message(uuid) TO mailroom_admin, mailroom_staff;

-- ---------------------------------------------------------------------------------------------
-- Row-level security, forced on the owner too (whose SECURITY DEFINER functions keep every row).
ALTER TABLE mailroom.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.outbox FORCE ROW LEVEL SECURITY;
ALTER TABLE mailroom.send_slots ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailroom.send_slots FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_all ON mailroom.outbox TO %I USING (true) WITH CHECK (true)', current_user);
  EXECUTE format('CREATE POLICY owner_all ON mailroom.send_slots TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
CREATE POLICY read_all ON mailroom.outbox FOR SELECT TO mailroom_admin, mailroom_sender USING (true);
CREATE POLICY own_read ON mailroom.outbox FOR SELECT TO mailroom_staff USING (owner = session_user);
CREATE POLICY own_insert ON mailroom.outbox FOR INSERT TO mailroom_admin, mailroom_staff WITH CHECK (owner = session_user AND state IN ('queued', 'failed'));
CREATE POLICY read_all ON mailroom.send_slots FOR SELECT TO mailroom_admin, mailroom_sender USING (true);
`,
};
