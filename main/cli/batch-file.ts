// Reads a batch of messages from CSV (with a header row) or JSON lines, checking every row before
// any is queued. A bad row is reported by its line number and field.
import fs from 'node:fs';
import path from 'node:path';
import { OutgoingMessage, fieldErrors, splitRecipients, type AttachmentInput } from '../../preload/contract';

export interface RowError {
  line: number;
  field: string;
  message: string;
}

export type BatchParse = { ok: true; messages: OutgoingMessage[] } | { ok: false; errors: RowError[] };

const COLUMNS = ['to', 'cc', 'bcc', 'subject', 'text', 'html', 'attachments'] as const;

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. Returns rows with their first line number. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const src = text.replace(/^\uFEFF/, '');
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  while (i < src.length) {
    const ch = src[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\r' && src[i + 1] === '\n') {
      i++;
      continue;
    } else if (ch === '\n') {
      endRow();
      line++;
      rowLine = line;
    } else cell += ch;
    i++;
  }
  if (quoted) throw new Error(`Line ${rowLine}: a quoted field is not closed`);
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

/** A cell's recipients: separated by ";" or line breaks, never inside a quoted name ("Smith; Jones" <sj@example.com>). */
function recipientList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return splitRecipients(value, { commas: false });
}

function splitList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .split(/[;\n]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function parseBatchFile(file: string): BatchParse {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ line: 0, field: 'file', message: `Cannot read ${file}: ${(error as Error).message}` }] };
  }
  const baseDir = path.dirname(path.resolve(file));
  const rows: { line: number; record: Record<string, unknown> }[] = [];
  const errors: RowError[] = [];
  const looksJson = /\.(jsonl|ndjson|json)$/i.test(file) || text.trimStart().startsWith('{');
  if (looksJson) {
    text.split(/\r?\n/).forEach((lineText, i) => {
      if (lineText.trim() === '') return;
      try {
        const record = JSON.parse(lineText) as unknown;
        if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error('not an object');
        rows.push({ line: i + 1, record: record as Record<string, unknown> });
      } catch (error) {
        errors.push({ line: i + 1, field: '(line)', message: `Not a JSON object: ${(error as Error).message}` });
      }
    });
  } else {
    let parsed;
    try {
      parsed = parseCsv(text);
    } catch (error) {
      return { ok: false, errors: [{ line: 0, field: '(file)', message: (error as Error).message }] };
    }
    const [header, ...body] = parsed;
    if (!header) return { ok: false, errors: [{ line: 1, field: '(header)', message: 'The file is empty; the first row must name the columns: to, cc, bcc, subject, text, html, attachments' }] };
    const names = header.cells.map((c) => c.trim().toLowerCase());
    names.forEach((n, i) => {
      if (!(COLUMNS as readonly string[]).includes(n)) errors.push({ line: header.line, field: n || `column ${i + 1}`, message: `Unknown column; use: ${COLUMNS.join(', ')}` });
    });
    for (const required of ['to', 'subject']) if (!names.includes(required)) errors.push({ line: header.line, field: required, message: 'Missing column' });
    for (const row of body) {
      if (row.cells.length !== names.length) {
        errors.push({ line: row.line, field: '(row)', message: `Has ${row.cells.length} fields; the header has ${names.length}` });
        continue;
      }
      const record: Record<string, unknown> = {};
      names.forEach((n, i) => {
        if (row.cells[i] !== '') record[n] = row.cells[i];
      });
      rows.push({ line: row.line, record });
    }
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 0, field: '(file)', message: 'The batch has no messages' });

  const attachmentCache = new Map<string, AttachmentInput>();
  const messages: OutgoingMessage[] = [];
  for (const { line, record } of rows) {
    const unknown = Object.keys(record).filter((k) => !(COLUMNS as readonly string[]).includes(k));
    for (const k of unknown) errors.push({ line, field: k, message: `Unknown field; use: ${COLUMNS.join(', ')}` });
    const attachments: AttachmentInput[] = [];
    for (const ref of splitList(record.attachments)) {
      const full = path.resolve(baseDir, ref);
      let att = attachmentCache.get(full);
      if (!att) {
        try {
          att = { filename: path.basename(full), contentBase64: fs.readFileSync(full).toString('base64') };
          attachmentCache.set(full, att);
        } catch (error) {
          errors.push({ line, field: 'attachments', message: `Cannot read ${ref}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
          continue;
        }
      }
      attachments.push(att);
    }
    const candidate = {
      to: recipientList(record.to),
      cc: recipientList(record.cc),
      bcc: recipientList(record.bcc),
      subject: record.subject ?? '',
      ...(record.text !== undefined ? { text: record.text } : {}),
      ...(record.html !== undefined ? { html: record.html } : {}),
      attachments,
    };
    if (record.text === undefined && record.html === undefined) errors.push({ line, field: 'text', message: 'Give a text or html body' });
    if (typeof record.subject !== 'string' || record.subject.trim() === '') errors.push({ line, field: 'subject', message: 'Required' });
    const parsed = OutgoingMessage.safeParse(candidate);
    if (!parsed.success) {
      for (const f of fieldErrors(parsed.error)) {
        const field = f.path.split('.')[0] ?? f.path;
        if (field === 'subject' && (typeof record.subject !== 'string' || record.subject.trim() === '')) continue;
        errors.push({ line, field, message: f.message });
      }
    } else messages.push(parsed.data);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, messages };
}
