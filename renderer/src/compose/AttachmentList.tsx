// The attachments of a message being written: add files, see each one's size and the total against
// the chosen profile's limit, remove them. Files are read only when the message is sent or saved.
import { useId, useRef } from 'react';
import { Button, makeStyles, mergeClasses, tokens, typographyStyles } from '@fluentui/react-components';
import { Attach20Regular, Dismiss16Regular, Document20Regular, ErrorCircle16Filled } from '@fluentui/react-icons';
import { base64Bytes } from '../../../preload/contract';
import { formatLimit, formatSize } from './compose-format';

export interface PendingAttachment {
  /** Tells two files of the same name apart. */
  key: string;
  filename: string;
  contentType?: string;
  size: number;
  /** A file the user just chose; read when needed. */
  file?: File;
  /** The bytes of an attachment that came with a draft. */
  contentBase64?: string;
}

export const MAX_ATTACHMENTS = 100;

let counter = 0;
const nextKey = () => `att-${++counter}`;

const CONTENT_TYPE_RE = /^[\w.+-]+\/[\w.+-]+$/;
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f\\/]/g;

export function fromFile(file: File): PendingAttachment {
  const filename = file.name.replace(UNSAFE_NAME_CHARS, '_').slice(0, 255) || 'attachment';
  return { key: nextKey(), filename, size: file.size, file, ...(CONTENT_TYPE_RE.test(file.type) ? { contentType: file.type } : {}) };
}

export function fromSaved(saved: { filename: string; contentBase64: string; contentType?: string | undefined }): PendingAttachment {
  return {
    key: nextKey(),
    filename: saved.filename,
    size: base64Bytes(saved.contentBase64),
    contentBase64: saved.contentBase64,
    ...(saved.contentType ? { contentType: saved.contentType } : {}),
  };
}

/** The file's bytes as base64, without the data: URL prefix FileReader puts before them. */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsDataURL(file);
  });
}

export type EncodedAttachments =
  | { ok: true; attachments: { filename: string; contentBase64: string; contentType?: string }[] }
  | { ok: false; message: string };

export async function encodeAttachments(list: readonly PendingAttachment[]): Promise<EncodedAttachments> {
  const out: { filename: string; contentBase64: string; contentType?: string }[] = [];
  for (const a of list) {
    let contentBase64 = a.contentBase64;
    if (contentBase64 === undefined && a.file) {
      try {
        contentBase64 = await readBase64(a.file);
      } catch {
        return { ok: false, message: `“${a.filename}” could not be read. It may have been moved or deleted; remove it and attach it again.` };
      }
    }
    out.push({ filename: a.filename, contentBase64: contentBase64 ?? '', ...(a.contentType ? { contentType: a.contentType } : {}) });
  }
  return { ok: true, attachments: out };
}

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    flexShrink: 0,
  },
  bar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
  },
  total: {
    ...typographyStyles.body1,
    color: tokens.colorNeutralForeground2,
    fontVariantNumeric: 'tabular-nums',
  },
  over: {
    ...typographyStyles.body1Strong,
    color: tokens.colorPaletteRedForeground1,
  },
  list: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    margin: 0,
    padding: 0,
    listStyleType: 'none',
    maxHeight: '148px',
    overflowY: 'auto',
  },
  item: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    maxWidth: '320px',
    minWidth: 0,
    paddingBlock: tokens.spacingVerticalXXS,
    paddingLeft: tokens.spacingHorizontalS,
    paddingRight: tokens.spacingHorizontalXXS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  icon: {
    flexShrink: 0,
    color: tokens.colorNeutralForeground2,
  },
  name: {
    ...typographyStyles.body1,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
  },
  size: {
    ...typographyStyles.caption1,
    flexShrink: 0,
    color: tokens.colorNeutralForeground2,
  },
  error: {
    ...typographyStyles.body1,
    display: 'flex',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalXS,
    margin: 0,
    color: tokens.colorPaletteRedForeground1,
  },
  errorIcon: {
    flexShrink: 0,
    marginTop: '2px',
  },
});

export interface AttachmentListProps {
  attachments: readonly PendingAttachment[];
  /** The chosen profile's limit in MB (0: none); undefined while no profile is chosen. */
  limitMb: number | undefined;
  /** Why the attachments cannot be sent as they are (over the limit, too many), if so. */
  problem: string | undefined;
  onAdd(files: File[]): void;
  onRemove(key: string): void;
}

export function AttachmentList({ attachments, limitMb, problem, onAdd, onRemove }: AttachmentListProps) {
  const styles = useStyles();
  const input = useRef<HTMLInputElement>(null);
  const totalId = useId();
  const problemId = useId();
  const total = attachments.reduce((n, a) => n + a.size, 0);
  const over = limitMb !== undefined && limitMb > 0 && total > limitMb * 1024 * 1024;

  const totalText =
    attachments.length === 0
      ? limitMb && limitMb > 0
        ? `No files attached; up to ${formatLimit(limitMb)} in all`
        : 'No files attached'
      : limitMb === undefined
        ? `${formatSize(total)} in all`
        : limitMb > 0
          ? `${formatSize(total)} of ${formatLimit(limitMb)}`
          : `${formatSize(total)} (no limit)`;

  return (
    <div role="group" aria-label="Attachments" className={styles.root}>
      <div className={styles.bar}>
        <Button
          icon={<Attach20Regular />}
          aria-describedby={problem ? `${totalId} ${problemId}` : totalId}
          disabled={attachments.length >= MAX_ATTACHMENTS}
          onClick={() => input.current?.click()}
        >
          Attach files
        </Button>
        <span id={totalId} className={mergeClasses(styles.total, over && styles.over)} data-testid="attachment-total">
          {totalText}
        </span>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          aria-label="Attach files"
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            // The same file can be chosen again after it was removed.
            event.target.value = '';
            if (files.length > 0) onAdd(files);
          }}
        />
      </div>
      {attachments.length > 0 && (
        <ul className={styles.list} aria-label="Attached files">
          {attachments.map((a) => (
            <li key={a.key} className={styles.item}>
              <Document20Regular aria-hidden className={styles.icon} />
              <span className={styles.name} title={a.filename}>
                {a.filename}
              </span>
              <span className={styles.size}>{formatSize(a.size)}</span>
              <Button
                appearance="subtle"
                size="small"
                icon={<Dismiss16Regular />}
                aria-label={`Remove ${a.filename}`}
                onClick={() => onRemove(a.key)}
              />
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p id={problemId} className={styles.error}>
          <ErrorCircle16Filled aria-hidden className={styles.errorIcon} />
          <span>{problem}</span>
        </p>
      )}
    </div>
  );
}
