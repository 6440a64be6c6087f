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
