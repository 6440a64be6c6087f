// Things Mailroom must tell the user once (a settings file it had to set aside, say), kept on disk
// until the user dismisses them, so whichever process noticed, the dialog still shows them.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Notice } from '../../preload/contract';
import { writeFileAtomic } from './atomic-file';

const NoticeList = z.array(Notice);

export class NoticeService {
  readonly file: string;

  constructor(dataDir: string, private readonly now: () => Date = () => new Date()) {
    this.file = path.join(dataDir, 'notices.json');
  }

  list(): Notice[] {
    try {
      const parsed = NoticeList.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  add(notice: Omit<Notice, 'id' | 'createdAt'>): Notice {
    const full: Notice = { ...notice, id: randomUUID(), createdAt: this.now().toISOString() };
    this.write([...this.list(), full]);
    return full;
  }

  dismiss(id: string): Notice[] {
    const rest = this.list().filter((n) => n.id !== id);
    this.write(rest);
    return rest;
  }

  private write(list: Notice[]): void {
    writeFileAtomic(this.file, JSON.stringify(list, null, 2) + '\n', 0o600);
  }
}
