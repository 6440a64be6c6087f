// Drafts of the built-in mailer: one file each in drafts/, written atomically and readable only by
// their owner (they hold message text and attachments).
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SavedDraft, base64Bytes, fail, ok, type Draft, type DraftSummary, type Result } from '../../../preload/contract';
import { writeFileAtomic } from '../atomic-file';

export class DraftStore {
  readonly dir: string;

  constructor(dataDir: string, private readonly now: () => Date = () => new Date()) {
    this.dir = path.join(dataDir, 'drafts');
  }

  save(draft: Draft): DraftSummary {
    const id = draft.id ?? randomUUID();
    const saved: SavedDraft = { ...draft, id, savedAt: this.now().toISOString() };
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file(id), JSON.stringify(saved), 0o600);
    return summary(saved);
  }

  get(id: string): Result<SavedDraft> {
    let text: string;
    try {
      text = fs.readFileSync(this.file(id), 'utf8');
    } catch {
      return fail('not-found', 'That draft no longer exists');
    }
    const parsed = SavedDraft.safeParse(safeJson(text));
    return parsed.success ? ok(parsed.data) : fail('io-error', 'That draft is damaged and cannot be opened');
  }

  list(): DraftSummary[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const out: DraftSummary[] = [];
    for (const name of names) {
      const parsed = SavedDraft.safeParse(safeJson(readOrEmpty(path.join(this.dir, name))));
      if (parsed.success) out.push(summary(parsed.data));
    }
    return out.sort((a, b) => (a.savedAt < b.savedAt ? 1 : -1));
  }

  delete(id: string): boolean {
    try {
      fs.unlinkSync(this.file(id));
      return true;
    } catch {
      return false;
    }
  }

  private file(id: string): string {
    // Ids are checked by the contract ([A-Za-z0-9_-]); basename keeps any other caller inside the folder.
    return path.join(this.dir, `${path.basename(id)}.json`);
  }
}

function summary(d: SavedDraft): DraftSummary {
  const attachmentBytes = d.attachments.reduce((n, a) => n + base64Bytes(a.contentBase64), 0);
  return { id: d.id, subject: d.subject, to: d.to, savedAt: d.savedAt, attachmentBytes };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
