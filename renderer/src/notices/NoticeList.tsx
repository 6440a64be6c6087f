import { useState } from 'react';
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { Notices } from '../hooks/useNotices';

const useStyles = makeStyles({
  list: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
  },
});

export function NoticeList({ notices, error, dismiss }: Notices) {
  const styles = useStyles();
  const [busy, setBusy] = useState<string | null>(null);
  if (notices.length === 0 && error === null) return null;
  return (
    <div className={styles.list}>
      {notices.map((notice) => (
        <MessageBar key={notice.id} intent={notice.level} layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{notice.title}</MessageBarTitle>
            {notice.message}
          </MessageBarBody>
          <MessageBarActions>
            <Button
              disabled={busy === notice.id}
              onClick={() => {
                setBusy(notice.id);
                void dismiss(notice.id).finally(() => setBusy(null));
              }}
            >
              Dismiss
            </Button>
          </MessageBarActions>
        </MessageBar>
      ))}
      {error !== null && (
        <MessageBar intent="error">
          <MessageBarBody>
            <MessageBarTitle>Notices unavailable</MessageBarTitle>
            {error}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
