// The outbox on disk. Messages are written once, in batch files (raw MIME with their metadata),
// before anything is sent; every change of state is a journal record, flushed before it counts.
// Together they rebuild the outbox after any crash.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { recipientAddress, type OutboxEntry, type OutboxRecipient } from '../../../preload/contract';
import { writeFileAtomic } from '../atomic-file';
import { Journal } from './journal';
import { SenderLock, type SenderLockOptions } from './sender-lock';

export interface NewMessage {
  messageId: string;
  profileId: string;
  profileName: string;
  subject: string;
  to: string[];
  envelope: { from: string; to: string[] };
  raw: Buffer;
  attachmentBytes: number;
  kind: OutboxEntry['kind'];
}

/** What is kept in memory per message: the entry, and where its bytes are. */
interface Stored {
  entry: OutboxEntry;
  envelopeFrom: string;
  file: string;
  offset: number;
  length: number;
}

type StateRecord = { t: 'entry'; entry: Omit<OutboxEntry, 'id'> & { id: string } };
type SlotRecord = { t: 'slot'; profileId: string; at: number };
type JournalRecord = StateRecord | SlotRecord;

const COMPACT_AFTER_RECORDS = 20_000;

export class OutboxStore {
  readonly dir: string;
  private readonly batchDir: string;
  private readonly byId = new Map<string, Stored>();
  /** Ids of queued messages in the order they became queued, so the sender never scans the sent ones. */
  private readonly queuedIds = new Set<string>();
  private journal!: Journal;
  private records = 0;
  /** Send times per profile (ms), kept for the rate limit's 60-second window. */
  readonly slots = new Map<string, number[]>();
  /** Messages found in flight when the outbox was opened: sent again, and marked. */
  recoveredInFlight: string[] = [];

  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
    private readonly lockOptions: SenderLockOptions = {},
  ) {
    this.dir = path.join(dataDir, 'outbox');
    this.batchDir = path.join(this.dir, 'batches');
  }

  private readonly loadedBatches = new Set<string>();
  private senderLock: SenderLock | null = null;

  open(): void {
    fs.mkdirSync(this.batchDir, { recursive: true, mode: 0o700 });
    this.rescan();
    const journalFile = path.join(this.dir, 'journal.jsonl');
    for (const record of Journal.read(journalFile) as JournalRecord[]) this.replay(record);
    this.journal = new Journal(journalFile);
    const since = this.now() - 60_000;
    for (const [profile, times] of this.slots) this.slots.set(profile, times.filter((t) => t > since));
    // A message still "sending" was in flight when the process died: it may or may not have arrived.
    const inFlight = [...this.byId.values()].filter((s) => s.entry.state === 'sending');
    this.recoveredInFlight = inFlight.map((s) => s.entry.id);
  }

  /** Loads batch files written since the last look (another process may queue while this one sends). */
  rescan(): number {
    let added = 0;
    for (const name of fs.readdirSync(this.batchDir).sort()) {
      if (!name.endsWith('.jsonl') || this.loadedBatches.has(name)) continue;
      this.loadedBatches.add(name);
      added += this.loadBatch(path.join(this.batchDir, name));
    }
    return added;
  }

  /**
   * Only one process sends from the outbox at a time (the app, browser mode, or "outbox run");
   * others may still queue. The right to send is a lease (see sender-lock.ts), renewed here on a
   * timer while it is held, so a sender that dies, however it dies, hands over when it lapses.
   */
  tryLock(): { ok: true } | { ok: false; pid: number } {
    if (!this.senderLock) this.senderLock = new SenderLock(path.join(this.dir, 'sender.lock'), this.lockOptions);
    return this.senderLock.tryLock();
  }

  unlock(): void {
    this.senderLock?.unlock();
  }

  /** A batch file holds one line per message: its JSON metadata, a tab, then the raw MIME in base64. */
  private loadBatch(file: string): number {
    const data = fs.readFileSync(file);
    let added = 0;
    let offset = 0;
    while (offset < data.length) {
      let end = data.indexOf(0x0a, offset);
      if (end < 0) end = data.length;
      const tab = data.indexOf(0x09, offset);
      if (tab > offset && tab < end) {
        try {
          const meta = JSON.parse(data.subarray(offset, tab).toString('utf8')) as { entry: OutboxEntry; envelopeFrom: string };
          if (!this.byId.has(meta.entry.id)) added++;
          this.byId.set(meta.entry.id, { entry: meta.entry, envelopeFrom: meta.envelopeFrom, file, offset: tab + 1, length: end - tab - 1 });
          this.track(meta.entry);
        } catch {
          /* batch files are written atomically; a bad line means outside damage, and the rest still loads */
        }
      }
      offset = end + 1;
    }
    return added;
  }

  private replay(record: JournalRecord): void {
    this.records++;
    if (record.t === 'slot') {
      const list = this.slots.get(record.profileId) ?? [];
      list.push(record.at);
      this.slots.set(record.profileId, list);
      return;
    }
    const stored = this.byId.get(record.entry.id);
    if (stored) {
      stored.entry = record.entry;
      this.track(record.entry);
    }
  }

  private track(entry: OutboxEntry): void {
    if (entry.state === 'queued') {
      if (!this.queuedIds.has(entry.id)) this.queuedIds.add(entry.id);
    } else this.queuedIds.delete(entry.id);
  }

  /** The queued messages, oldest first. */
  *queued(): Generator<OutboxEntry> {
    for (const id of this.queuedIds) {
      const stored = this.byId.get(id);
      if (stored) yield stored.entry;
    }
  }

  /** Writes the messages to disk (flushed) and returns their entries, all queued. */
  enqueue(messages: NewMessage[], batchId: string = randomUUID()): OutboxEntry[] {
    const at = new Date(this.now()).toISOString();
    const file = path.join(this.batchDir, `${at.replace(/[-:.]/g, '')}-${batchId}.jsonl`);
    const chunks: Buffer[] = [];
    const placed: Stored[] = [];
    let offset = 0;
    for (const m of messages) {
      const entry: OutboxEntry = {
        id: randomUUID(),
        messageId: m.messageId,
        batchId,
        profileId: m.profileId,
        profileName: m.profileName,
        subject: m.subject,
        // The list shown for the message: bare addresses, like the recipients' (names are in its header).
        to: m.to.map(recipientAddress),
        size: m.raw.length,
        attachmentBytes: m.attachmentBytes,
        createdAt: at,
        updatedAt: at,
        state: 'queued',
        attempts: 0,
        nextAttemptAt: at,
        lastReply: '',
        possibleDuplicate: false,
        recipients: m.envelope.to.map((address): OutboxRecipient => ({ address, state: 'pending' })),
        kind: m.kind,
      };
      // JSON never contains a raw tab, so the first tab ends the metadata.
      const meta = Buffer.from(JSON.stringify({ entry, envelopeFrom: m.envelope.from }) + '\t');
      const raw = Buffer.from(m.raw.toString('base64') + '\n');
      const line = Buffer.concat([meta, raw]);
      placed.push({ entry, envelopeFrom: m.envelope.from, file, offset: offset + meta.length, length: raw.length - 1 });
      chunks.push(line);
      offset += line.length;
    }
    writeFileAtomic(file, Buffer.concat(chunks), 0o600);
    this.loadedBatches.add(path.basename(file));
    for (const p of placed) {
      this.byId.set(p.entry.id, p);
      this.track(p.entry);
    }
    return placed.map((p) => p.entry);
  }

  get(id: string): OutboxEntry | undefined {
    return this.byId.get(id)?.entry;
  }

  envelopeFrom(id: string): string {
    return this.byId.get(id)?.envelopeFrom ?? '';
  }

  entries(): OutboxEntry[] {
    return [...this.byId.values()].map((s) => s.entry);
  }

  /** Open batch files, kept while the outbox is open: a batch is read message by message. */
  private readonly fds = new Map<string, number>();

  readRaw(id: string): Buffer {
    const stored = this.byId.get(id);
    if (!stored) throw new Error(`No message ${id} in the outbox`);
    let fd = this.fds.get(stored.file);
    if (fd === undefined) {
      fd = fs.openSync(stored.file, 'r');
      this.fds.set(stored.file, fd);
    }
    const buf = Buffer.alloc(stored.length);
    fs.readSync(fd, buf, 0, stored.length, stored.offset);
    return Buffer.from(buf.toString('latin1'), 'base64');
  }

  /** Records new states; resolves once they are on disk. */
  async update(entries: OutboxEntry[]): Promise<void> {
    const at = new Date(this.now()).toISOString();
    for (const e of entries) {
      const stored = this.byId.get(e.id);
      if (stored) {
        stored.entry = { ...e, updatedAt: at };
        this.track(stored.entry);
      }
    }
    await this.journal.append(entries.map((e) => ({ t: 'entry', entry: this.byId.get(e.id)?.entry ?? e })));
    this.records += entries.length;
  }

  /** Records on disk a rate-limit slot the caller already took in memory (slots). */
  async journalSlot(profileId: string, at: number): Promise<void> {
    const list = this.slots.get(profileId);
    if (list) {
      const since = at - 60_000;
      while (list.length > 0 && (list[0] as number) <= since) list.shift();
    }
    await this.journal.append([{ t: 'slot', profileId, at } satisfies SlotRecord]);
    this.records++;
  }

  /** Shrinks the journal to the current state when it has grown long. */
  maybeCompact(): void {
    if (this.records < COMPACT_AFTER_RECORDS) return;
    const now = this.now();
    const records: JournalRecord[] = [];
    for (const s of this.byId.values()) records.push({ t: 'entry', entry: s.entry });
    for (const [profileId, times] of this.slots) for (const at of times) if (at > now - 60_000) records.push({ t: 'slot', profileId, at });
    this.journal.rewrite(records);
    this.records = records.length;
  }

  async close(): Promise<void> {
    await this.journal.close();
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
    this.unlock();
  }
}
