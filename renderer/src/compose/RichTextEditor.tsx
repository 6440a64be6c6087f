// The message body of the built-in mailer: an editable area with a small formatting toolbar (bold,
// italic, lists, links). Formatting uses the browser's own editing commands, which Chromium and
// Electron support fully; whatever is pasted or dropped in is cleaned to basic formatting first.
import { forwardRef, useCallback, useEffect, useId, useImperativeHandle, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent, type ReactElement } from 'react';
import {
  Button,
  Field,
  Input,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Toolbar,
  ToolbarButton,
  ToolbarDivider,
  ToolbarToggleButton,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { Link20Regular, TextBold20Regular, TextBulletListLtr20Regular, TextItalic20Regular, TextNumberListLtr20Regular } from '@fluentui/react-icons';
import { isMailbox } from '../../../preload/contract';
import { isSafeLink, sanitizeHtml } from './compose-format';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    minHeight: 0,
    flexGrow: 1,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderBottomColor: tokens.colorNeutralStrokeAccessible,
    backgroundColor: tokens.colorNeutralBackground1,
    ':focus-within': {
      borderBottomColor: tokens.colorCompoundBrandStroke,
      boxShadow: `inset 0 -1px 0 0 ${tokens.colorCompoundBrandStroke}`,
    },
  },
  toolbar: {
    flexShrink: 0,
    paddingInline: tokens.spacingHorizontalXS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  editor: {
    ...typographyStyles.body1,
    flexGrow: 1,
    minHeight: '180px',
    overflowY: 'auto',
    paddingBlock: tokens.spacingVerticalM,
    paddingInline: tokens.spacingHorizontalM,
    color: tokens.colorNeutralForeground1,
    outlineStyle: 'none',
    overflowWrap: 'anywhere',
    cursor: 'text',
    '& p': { marginTop: 0, marginBottom: tokens.spacingVerticalS },
    '& ul, & ol': { marginBlock: tokens.spacingVerticalXS, paddingLeft: tokens.spacingHorizontalXXL },
    '& blockquote': {
      marginBlock: tokens.spacingVerticalXS,
      marginInline: 0,
      paddingLeft: tokens.spacingHorizontalM,
      borderLeft: `3px solid ${tokens.colorNeutralStroke1}`,
    },
    '& a': { color: tokens.colorBrandForegroundLink },
  },
  linkSurface: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    width: '360px',
    maxWidth: 'calc(100vw - 48px)',
  },
  linkActions: {
    display: 'flex',
    justifyContent: 'flex-end',
    columnGap: tokens.spacingHorizontalS,
  },
});

export interface RichTextEditorHandle {
  /** The body as cleaned HTML. */
  getHtml(): string;
  focus(): void;
}

export interface RichTextEditorProps {
  /** The body to start from (a draft's); cleaned before it is shown. */
  initialHtml: string;
  label: string;
  onChange(): void;
  /** Files dropped on the body, to attach rather than insert. */
  onDropFiles?(files: File[]): void;
}

type Format = 'bold' | 'italic' | 'insertUnorderedList' | 'insertOrderedList';
const FORMATS: readonly Format[] = ['bold', 'italic', 'insertUnorderedList', 'insertOrderedList'];

const LINK_HINT = 'A web address starting with https:// or http://, or an email address';

/** What the user typed as a link, as an href; an email address becomes a mailto: link. */
function toHref(text: string): string | null {
  const value = text.trim();
  if (isMailbox(value)) return `mailto:${value}`;
  return isSafeLink(value) ? value : null;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const RichTextEditor = forwardRef<RichTextEditorHandle, RichTextEditorProps>(function RichTextEditor(
  { initialHtml, label, onChange, onDropFiles },
  ref,
) {
  const styles = useStyles();
  const editorRef = useRef<HTMLDivElement>(null);
  const savedRange = useRef<Range | null>(null);
  const [active, setActive] = useState<Format[]>([]);
  const [inLink, setInLink] = useState(false);
  const [linkOpen, setLinkOpen] = useState(false);
  const [linkText, setLinkText] = useState('');
  const [linkTouched, setLinkTouched] = useState(false);
  const linkInputId = useId();

  // The starting body is set once; from then on the element is the source of truth.
  const initial = useRef(initialHtml);
  useEffect(() => {
    if (editorRef.current) editorRef.current.innerHTML = sanitizeHtml(initial.current);
    // Plain <b>/<i> tags rather than inline styles, which mail clients read best.
    document.execCommand('styleWithCSS', false, 'false');
  }, []);

  useImperativeHandle(ref, () => ({
    getHtml: () => sanitizeHtml(editorRef.current?.innerHTML ?? ''),
    focus: () => editorRef.current?.focus(),
  }));

  const selectionInEditor = useCallback((): Range | null => {
    const selection = document.getSelection();
    const editor = editorRef.current;
    if (!selection || selection.rangeCount === 0 || !editor) return null;
    const range = selection.getRangeAt(0);
    return editor.contains(range.commonAncestorContainer) ? range : null;
  }, []);

  const refresh = useCallback(() => {
    const range = selectionInEditor();
    if (!range) return;
    savedRange.current = range.cloneRange();
    setActive(FORMATS.filter((f) => document.queryCommandState(f)));
    const start = range.startContainer instanceof Element ? range.startContainer : range.startContainer.parentElement;
    setInLink(!!start?.closest('a') && editorRef.current?.contains(start.closest('a')) === true);
  }, [selectionInEditor]);

  useEffect(() => {
    document.addEventListener('selectionchange', refresh);
    return () => document.removeEventListener('selectionchange', refresh);
  }, [refresh]);

  /** Puts the caret back where it was before the toolbar or the link box took focus. */
  const restore = useCallback(() => {
    const editor = editorRef.current;
    if (!editor) return;
    editor.focus();
    const range = savedRange.current;
    if (range && !selectionInEditor()) {
      const selection = document.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
    }
  }, [selectionInEditor]);

  const exec = useCallback(
    (command: string, value?: string) => {
      restore();
      document.execCommand(command, false, value);
      refresh();
      onChange();
    },
    [restore, refresh, onChange],
  );

  const openLink = () => {
    const range = selectionInEditor();
    if (range) savedRange.current = range.cloneRange();
    const anchor = (range?.startContainer instanceof Element ? range.startContainer : range?.startContainer.parentElement)?.closest('a');
    setLinkText(anchor?.getAttribute('href') ?? '');
    setLinkTouched(false);
    setLinkOpen(true);
  };

  const href = toHref(linkText);
  const linkProblem = linkText.trim() === '' ? 'Enter the address the link goes to' : href ? undefined : LINK_HINT;

  const applyLink = () => {
    if (!href) {
      setLinkTouched(true);
      return;
    }
    setLinkOpen(false);
    restore();
    const range = selectionInEditor();
    if (!range || range.collapsed) {
      const shown = href.replace(/^mailto:/i, '');
      document.execCommand('insertHTML', false, `<a href="${escapeHtml(href)}">${escapeHtml(shown)}</a>&nbsp;`);
    } else {
      document.execCommand('createLink', false, href);
    }
    refresh();
    onChange();
  };

  const removeLink = () => {
    setLinkOpen(false);
    restore();
    const range = selectionInEditor();
    const start = range && (range.startContainer instanceof Element ? range.startContainer : range.startContainer.parentElement);
    const anchor = start?.closest('a');
    if (range?.collapsed && anchor) {
      // Unlinking needs the whole link selected.
      const whole = document.createRange();
      whole.selectNodeContents(anchor);
      document.getSelection()?.removeAllRanges();
      document.getSelection()?.addRange(whole);
    }
    document.execCommand('unlink');
    refresh();
    onChange();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const key = event.key.toLowerCase();
    if (key === 'b' || key === 'i') {
      event.preventDefault();
      exec(key === 'b' ? 'bold' : 'italic');
    } else if (key === 'k') {
      event.preventDefault();
      openLink();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLDivElement>) => {
    const html = event.clipboardData.getData('text/html');
    const text = event.clipboardData.getData('text/plain');
    event.preventDefault();
    if (html) document.execCommand('insertHTML', false, sanitizeHtml(html));
    else if (text) document.execCommand('insertText', false, text);
    onChange();
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) {
      event.preventDefault();
      onDropFiles?.(files);
      return;
    }
    const html = event.dataTransfer.getData('text/html');
    if (!html) return;
    // Dropped markup is cleaned like pasted markup, and lands where it was dropped.
    event.preventDefault();
    const range = document.caretRangeFromPoint?.(event.clientX, event.clientY);
    if (range) {
      document.getSelection()?.removeAllRanges();
      document.getSelection()?.addRange(range);
    }
    document.execCommand('insertHTML', false, sanitizeHtml(html));
    onChange();
  };

  // Toolbar buttons act on the body's selection: a click must not take it away.
  const keepSelection = (event: { preventDefault(): void }) => event.preventDefault();

  const toggle = (format: Format, name: string, shortcut: string | null, icon: ReactElement) => (
    <Tooltip content={shortcut ? `${name} (${shortcut})` : name} relationship="description" withArrow>
      <ToolbarToggleButton
        aria-label={name}
        name="format"
        value={format}
        appearance="subtle"
        icon={icon}
        onMouseDown={keepSelection}
        onClick={() => exec(format)}
      />
    </Tooltip>
  );

  return (
    <div className={styles.root}>
      <Toolbar aria-label="Formatting" size="small" className={styles.toolbar} checkedValues={{ format: active }}>
        {toggle('bold', 'Bold', 'Ctrl+B', <TextBold20Regular />)}
        {toggle('italic', 'Italic', 'Ctrl+I', <TextItalic20Regular />)}
        <ToolbarDivider />
        {toggle('insertUnorderedList', 'Bulleted list', null, <TextBulletListLtr20Regular />)}
        {toggle('insertOrderedList', 'Numbered list', null, <TextNumberListLtr20Regular />)}
        <ToolbarDivider />
        <Popover
          open={linkOpen}
          trapFocus
          withArrow
          positioning="below-start"
          onOpenChange={(_, data) => {
            if (data.open) openLink();
            else {
              setLinkOpen(false);
              restore();
            }
          }}
        >
          <PopoverTrigger disableButtonEnhancement>
            <Tooltip content="Link (Ctrl+K)" relationship="description" withArrow>
              <ToolbarButton aria-label="Link" appearance="subtle" icon={<Link20Regular />} onMouseDown={keepSelection} />
            </Tooltip>
          </PopoverTrigger>
          <PopoverSurface aria-label={inLink ? 'Edit link' : 'Add link'} className={styles.linkSurface}>
            <Field
              label="Link address"
              hint={linkTouched && linkProblem ? undefined : LINK_HINT}
              {...(linkTouched && linkProblem ? { validationState: 'error' as const, validationMessage: linkProblem } : {})}
            >
              <Input
                id={linkInputId}
                type="url"
                value={linkText}
                placeholder="https://example.com"
                onChange={(_, data) => setLinkText(data.value)}
                onBlur={() => setLinkTouched(true)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter') {
                    event.preventDefault();
                    applyLink();
                  }
                }}
              />
            </Field>
            <div className={styles.linkActions}>
              {inLink && <Button onClick={removeLink}>Remove link</Button>}
              <Button appearance="primary" onClick={applyLink}>
                {inLink ? 'Update link' : 'Add link'}
              </Button>
              <Button
                onClick={() => {
                  setLinkOpen(false);
                  restore();
                }}
              >
                Cancel
              </Button>
            </div>
          </PopoverSurface>
        </Popover>
      </Toolbar>
      <div
        ref={editorRef}
        className={mergeClasses(styles.editor)}
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        aria-multiline="true"
        aria-label={label}
        tabIndex={0}
        spellCheck
        onInput={onChange}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        onDrop={onDrop}
      />
    </div>
  );
});
