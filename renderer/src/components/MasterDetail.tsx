// A tab of records: the list (and whatever goes with it) on the left, kept in view, the selected
// record's editor on the right, or an explanation when there is nothing to select yet. The tab's
// dialogs (confirm a deletion, name a new record) come as children.
import { useId, type ReactNode } from 'react';
import { useMasterDetailStyles } from './RecordList.styles';

export interface EmptyDetail {
  title: string;
  /** Paragraphs: what such a record is, then how to make the first one. */
  text: readonly ReactNode[];
}

export interface MasterDetailProps {
  master: ReactNode;
  /** The selected record's editor; null when there is none. */
  detail: ReactNode | null;
  empty: EmptyDetail;
  children?: ReactNode;
}

export function MasterDetail({ master, detail, empty, children }: MasterDetailProps) {
  const styles = useMasterDetailStyles();
  const emptyId = useId();
  return (
    <div className={styles.root}>
      <div className={styles.master}>{master}</div>
      {detail ?? (
        <section aria-labelledby={emptyId} className={styles.empty}>
          <h2 id={emptyId} className={styles.emptyHeading}>
            {empty.title}
          </h2>
          {empty.text.map((paragraph, i) => (
            <p key={i} className={styles.emptyText}>
              {paragraph}
            </p>
          ))}
        </section>
      )}
      {children}
    </div>
  );
}
