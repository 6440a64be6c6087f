// Tells open windows what changed, whichever process changed it: the outbox (told by the Outbox
// itself), and the settings and notices files (watched, since the CLI is another process writing them).
import fs from 'node:fs';
import path from 'node:path';
import type { AnyEventListener, AppEvent, EventPayload } from '../../preload/contract';

export interface LiveUpdatesDeps {
  dataDir: string;
  /** The revision of the saved settings now; may throw while the file cannot be read. */
  settingsRevision(): string;
  /** The notices file, whose changes are passed on as notices:changed. */
  noticesFile: string;
  /**
   * The settings file, watched for changes made by other processes. Absent when the settings live
   * elsewhere (the office database), whose changes are told with settingsChanged().
   */
  settingsFile?: string;
  /** How often the files are looked at when the folder watch says nothing (network drives, some containers). */
  pollMs?: number;
  /** Changes that come in bursts (a save is a write and a rename) are told once, this long after the last. */
  debounceMs?: number;
}

const DEFAULT_POLL_MS = 500;
const DEFAULT_DEBOUNCE_MS = 50;
/** The outbox can change thousands of times a second during a batch; windows hear of it at most this often. */
const OUTBOX_THROTTLE_MS = 200;

export class LiveUpdates {
  private readonly listeners = new Set<AnyEventListener>();
  private watching = false;
  private folderWatch: fs.FSWatcher | undefined;
  private readonly timers = new Map<'settings' | 'notices', ReturnType<typeof setTimeout>>();
  private lastRevision: string | undefined;
  private lastNotices: string | undefined;
  private outboxTimer: ReturnType<typeof setTimeout> | undefined;
  private outboxToldAt = 0;

  constructor(private readonly deps: LiveUpdatesDeps) {}

  /**
   * Hears every event until the returned function is called. The files are watched only while
   * someone listens, so a command-line run that never listens never watches. With `replay`, the
   * listener hears the current settings revision at once, and is told to read the outbox and notices again
   * (a window that reconnects learns whether it missed something).
   */
  subscribe(listener: AnyEventListener, { replay = false }: { replay?: boolean } = {}): () => void {
    this.listeners.add(listener);
    this.startWatching();
    if (replay) {
      const revision = this.currentRevision();
      if (revision !== undefined) listener('settings:changed', { revision });
      // Whatever happened while it was away, it reads again.
      listener('outbox:changed', {});
      listener('notices:changed', {});
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  /** How many listeners there are now (open windows and streams). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  emit<E extends AppEvent>(name: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(name, payload);
      } catch {
        /* one broken window must not stop the others hearing */
      }
    }
  }

  /** The outbox changed: told to listeners at most every OUTBOX_THROTTLE_MS, the last change always told. */
  outboxChanged(): void {
    if (this.listeners.size === 0 || this.outboxTimer) return;
    const wait = Math.max(0, this.outboxToldAt + OUTBOX_THROTTLE_MS - Date.now());
    this.outboxTimer = setTimeout(() => {
      this.outboxTimer = undefined;
      this.outboxToldAt = Date.now();
      this.emit('outbox:changed', {});
    }, wait);
    this.outboxTimer.unref?.();
  }

  /** The settings changed (told by whoever hears of it, for settings that are not a watched file). */
  settingsChanged(): void {
    if (this.listeners.size === 0) return;
    this.checkSettings();
  }

  /** Stops watching and forgets every listener. */
  close(): void {
    this.listeners.clear();
    this.stopWatching();
  }

  private startWatching(): void {
    if (this.watching) return;
    this.watching = true;
    this.lastRevision = this.currentRevision();
    this.lastNotices = this.noticesStamp();
    const { settingsFile } = this.deps;
    const settingsName = settingsFile === undefined ? undefined : path.basename(settingsFile);
    const noticesName = path.basename(this.deps.noticesFile);
    try {
      // Watching the folder, not the file: a save replaces the file, which a file watch would lose.
      this.folderWatch = fs.watch(this.deps.dataDir, { persistent: false }, (_event, name) => {
        const file = name?.toString();
        if (settingsName !== undefined && (!file || file === settingsName)) this.schedule('settings');
        if (!file || file === noticesName) this.schedule('notices');
      });
      this.folderWatch.on('error', () => this.stopFolderWatch());
    } catch {
      /* no folder watch here: the polling below still notices, only later */
    }
    const interval = this.deps.pollMs ?? DEFAULT_POLL_MS;
    if (settingsFile !== undefined) fs.watchFile(settingsFile, { interval, persistent: false }, this.onSettingsStat);
    fs.watchFile(this.deps.noticesFile, { interval, persistent: false }, this.onNoticesStat);
  }

  private readonly onSettingsStat = () => this.schedule('settings');
  private readonly onNoticesStat = () => this.schedule('notices');

  private stopFolderWatch(): void {
    this.folderWatch?.close();
    this.folderWatch = undefined;
  }

  private stopWatching(): void {
    if (!this.watching) return;
    this.watching = false;
    this.stopFolderWatch();
    if (this.deps.settingsFile !== undefined) fs.unwatchFile(this.deps.settingsFile, this.onSettingsStat);
    fs.unwatchFile(this.deps.noticesFile, this.onNoticesStat);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.outboxTimer);
    this.outboxTimer = undefined;
  }

  private schedule(what: 'settings' | 'notices'): void {
    if (!this.watching) return;
    clearTimeout(this.timers.get(what));
    const timer = setTimeout(() => {
      this.timers.delete(what);
      if (what === 'settings') this.checkSettings();
      else this.checkNotices();
    }, this.deps.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    timer.unref?.();
    this.timers.set(what, timer);
  }

  private checkSettings(): void {
    const revision = this.currentRevision();
    // Touched but not changed (or saved back as it was): nothing to tell.
    if (revision === undefined || revision === this.lastRevision) return;
    this.lastRevision = revision;
    this.emit('settings:changed', { revision });
  }

  private checkNotices(): void {
    const stamp = this.noticesStamp();
    if (stamp === this.lastNotices) return;
    this.lastNotices = stamp;
    this.emit('notices:changed', {});
  }

  private currentRevision(): string | undefined {
    try {
      return this.deps.settingsRevision();
    } catch {
      // Unreadable for a moment (locked by another program): the next change is told.
      return undefined;
    }
  }

  private noticesStamp(): string {
    try {
      return fs.readFileSync(this.deps.noticesFile, 'utf8');
    } catch {
      return '';
    }
  }
}
