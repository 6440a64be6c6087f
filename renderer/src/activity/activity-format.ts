// How the Activity view names, colours, orders and dates outbox entries.
import type { BadgeProps } from '@fluentui/react-components';
import type { OutboxEntry, OutboxState } from '../../../preload/contract';

export const STATE_LABEL: Record<OutboxState, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  unknown: 'Unknown',
  cancelled: 'Cancelled',
};

export const STATE_COLOR: Record<OutboxState, NonNullable<BadgeProps['color']>> = {
  queued: 'informative',
  sending: 'brand',
  sent: 'success',
  failed: 'danger',
  unknown: 'warning',
  cancelled: 'subtle',
};

/** The summary's order: what is still to happen, then what happened. */
export const SUMMARY_STATES: readonly OutboxState[] = ['queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled'];

export type StateFilter = 'all' | OutboxState;
export const FILTERS: readonly StateFilter[] = ['all', 'queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled'];

export function filterLabel(filter: StateFilter): string {
  return filter === 'all' ? 'All' : STATE_LABEL[filter];
}

export function canRetry(entry: OutboxEntry): boolean {
  // A message held as too large would only be held again: the limit must change first.
  if (entry.reason === 'too-large') return false;
  return entry.state === 'failed' || entry.state === 'unknown' || entry.state === 'cancelled';
}

export function canCancel(entry: OutboxEntry): boolean {
  return entry.state === 'queued';
}

/**
 * Newest first by when the message was queued, so rows do not jump while a batch is sent; a batch's
 * messages share that time and keep the order of their subjects ("Invoice 9" before "Invoice 10").
 */
export function newestFirst(entries: readonly OutboxEntry[]): OutboxEntry[] {
  return [...entries].sort(
    (a, b) =>
      (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0) ||
      a.subject.localeCompare(b.subject, undefined, { numeric: true }) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export function rejectedCount(entry: OutboxEntry): number {
  return entry.recipients.filter((r) => r.state === 'rejected').length;
}

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? null : when;
}

/** A time of today as 14:03:21; another day's with its date. */
export function formatWhen(iso: string | null | undefined, now: Date = new Date()): string {
  const when = parse(iso);
  if (!when) return '—';
  const sameDay = when.toDateString() === now.toDateString();
  return sameDay
    ? when.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' })
    : when.toLocaleString(undefined, { day: 'numeric', month: 'short', year: when.getFullYear() === now.getFullYear() ? undefined : 'numeric', hour: 'numeric', minute: '2-digit' });
}

/** The full date and time, for the details. */
export function formatFull(iso: string | null | undefined): string {
  const when = parse(iso);
  return when ? when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** "a@x", "a@x, b@x" or "a@x and 3 more". */
export function recipientSummary(addresses: readonly string[]): string {
  if (addresses.length === 0) return '—';
  if (addresses.length <= 2) return addresses.join(', ');
  return `${addresses[0]} and ${addresses.length - 1} more`;
}

export type OutboxColumn = 'state' | 'recipients' | 'subject' | 'profile' | 'attempts' | 'reply' | 'updated' | 'actions';

export interface OutboxColumnSpec {
  id: OutboxColumn;
  label: string;
  /** Its width in pixels; the subject has none and takes what is left. */
  width?: number;
  /** Which columns give way first as the table narrows: the highest number first; 0 never. */
  giveWay: number;
}

/** The Activity table's columns, in the order they are shown. */
export const OUTBOX_COLUMNS: readonly OutboxColumnSpec[] = [
  { id: 'state', label: 'State', width: 112, giveWay: 0 },
  { id: 'recipients', label: 'Recipients', width: 176, giveWay: 1 },
  { id: 'subject', label: 'Subject', giveWay: 0 },
  { id: 'profile', label: 'Profile', width: 112, giveWay: 3 },
  { id: 'attempts', label: 'Attempts', width: 80, giveWay: 4 },
  { id: 'reply', label: 'Last reply', width: 176, giveWay: 5 },
  { id: 'updated', label: 'Updated', width: 96, giveWay: 2 },
  { id: 'actions', label: 'Actions', width: 96, giveWay: 0 },
];

/** The subject always keeps this much: room for a subject like "Invoice 1043 for March" before it is cut short. */
export const SUBJECT_MIN_WIDTH = 200;

/**
 * The columns a table this wide shows: every column when it fits with the subject at its minimum,
 * else the ones that give way last, in that order, as long as they fit. What a hidden column says
 * is in the row's details (and the profile, attempts and a failure's reply under the subject).
 */
export function visibleColumns(tableWidth: number): ReadonlySet<OutboxColumn> {
  const kept = OUTBOX_COLUMNS.filter((c) => c.giveWay === 0);
  let used = kept.reduce((sum, c) => sum + (c.width ?? SUBJECT_MIN_WIDTH), 0);
  const shown = new Set(kept.map((c) => c.id));
  const optional = OUTBOX_COLUMNS.filter((c) => c.giveWay > 0).sort((a, b) => a.giveWay - b.giveWay);
  for (const column of optional) {
    if (used + (column.width ?? 0) > tableWidth) break;
    used += column.width ?? 0;
    shown.add(column.id);
  }
  return shown;
}
