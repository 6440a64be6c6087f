// The message bar shown when the settings were saved elsewhere (another window, the mailroom
// command) while this dialog had unsaved edits, or when a save based on the old ones was refused.
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { ChangedElsewhere } from '../hooks/useSettingsDraft';
import { listSome } from './settings-merge';

/** The label the dialog shows for a field, read from the page (every bound control is named by its path); else the path. */
export function fieldLabel(path: string): string {
  const control = document.getElementsByName(path)[0];
  const label =
    (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement || control instanceof HTMLSelectElement ? control.labels?.[0]?.textContent : null) ??
    control?.getAttribute('aria-label') ??
    (control?.getAttribute('aria-labelledby') ? document.getElementById(control.getAttribute('aria-labelledby')!.split(' ')[0]!)?.textContent : null);
  const text = label?.replace(/\s*\*\s*$/, '').trim();
  return text ? `${text} (${path})` : path;
}

interface Props {
  elsewhere: ChangedElsewhere;
  busy: boolean;
  onReload(): void;
  onKeepMine(): void;
}

export function ChangedElsewhereBar({ elsewhere, busy, onReload, onKeepMine }: Props) {
  const what = elsewhere.changed.length > 0 ? `Changed: ${listSome(elsewhere.changed.map(fieldLabel))}.` : '';
  return (
    <MessageBar intent="warning" layout="multiline" aria-live="polite">
      <MessageBarBody>
        <MessageBarTitle>Settings were changed elsewhere</MessageBarTitle>
        {elsewhere.refused
          ? `${elsewhere.refused} ${what}`
          : `Someone saved these settings in another window or with the mailroom command while you were editing. ${what} Reload shows their settings and drops your edits; Keep my changes saves your edits over theirs.`}
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={onReload} disabled={busy}>
          Reload
        </Button>
        <Button appearance="primary" onClick={onKeepMine} disabled={busy}>
          Keep my changes
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
