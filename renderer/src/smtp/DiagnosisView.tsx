// The connection test's report: what went wrong first (the server's words, the likely cause, what to
// do), then every step with its outcome, time and findings.
import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import {
  CheckmarkCircle16Filled,
  Dismiss20Regular,
  DismissCircle16Filled,
  Info16Filled,
  SubtractCircle16Regular,
  Warning16Filled,
} from '@fluentui/react-icons';
import type { Diagnosis, DiagnosisStep } from '../../../preload/contract';
import { AdviceBox } from '../components/AdviceBox';
import { VISUALLY_HIDDEN } from '../components/visually-hidden';

const useStyles = makeStyles({
  panel: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  header: {
    display: 'flex',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalM,
  },
  headerText: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    flexGrow: 1,
    minWidth: 0,
  },
  heading: {
    ...typographyStyles.subtitle2,
    margin: 0,
    ':focus-visible': {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: tokens.strokeWidthThick,
    },
  },
  summary: {
    ...typographyStyles.body1,
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  table: {
    width: '100%',
    borderCollapse: 'collapse',
    ...typographyStyles.body1,
  },
  th: {
    ...typographyStyles.caption1Strong,
    textAlign: 'left',
    color: tokens.colorNeutralForeground2,
    paddingBlock: tokens.spacingVerticalXS,
    paddingInline: tokens.spacingHorizontalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  },
  td: {
    verticalAlign: 'top',
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  lastRow: {
    borderBottomStyle: 'none',
  },
  // Wraps in a narrow editor (800 pixels, say), so the report keeps inside its panel.
  stepTitle: {
    ...typographyStyles.body1Strong,
    textAlign: 'left',
  },
  visuallyHidden: {
    ...VISUALLY_HIDDEN,
  },
  // The pair's own box would break the two-column grid; its children take part in it instead.
  detailPair: {
    display: 'contents',
  },
  status: {
    display: 'inline-flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
    whiteSpace: 'nowrap',
  },
  time: {
    textAlign: 'right',
    whiteSpace: 'nowrap',
    fontVariantNumeric: 'tabular-nums',
    color: tokens.colorNeutralForeground2,
  },
  timeHeader: {
    textAlign: 'right',
  },
  what: {
    minWidth: 0,
    overflowWrap: 'anywhere',
  },
  details: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
    marginTop: tokens.spacingVerticalXS,
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
  },
  detailTerm: {
    fontWeight: tokens.fontWeightSemibold,
  },
  detailValue: {
    margin: 0,
    minWidth: 0,
    overflowWrap: 'anywhere',
    userSelect: 'text',
  },
  passed: { color: tokens.colorPaletteGreenForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  skipped: { color: tokens.colorNeutralForeground3 },
  info: { color: tokens.colorBrandForeground1 },
  iconSlot: {
    display: 'inline-flex',
    flexShrink: 0,
  },
});

const STATUS_TEXT: Record<DiagnosisStep['status'], string> = {
  passed: 'Passed',
  failed: 'Failed',
  warning: 'Warning',
  skipped: 'Skipped',
  info: 'Info',
};

function StatusIcon({ status }: { status: DiagnosisStep['status'] }) {
  const styles = useStyles();
  const icon = {
    passed: <CheckmarkCircle16Filled />,
    failed: <DismissCircle16Filled />,
    warning: <Warning16Filled />,
    skipped: <SubtractCircle16Regular />,
    info: <Info16Filled />,
  }[status];
  return (
    <span aria-hidden className={mergeClasses(styles.iconSlot, styles[status])}>
      {icon}
    </span>
  );
}

export type TestRun =
  | { status: 'running' }
  | { status: 'done'; diagnosis: Diagnosis }
  /** The test could not start: the message says why; field errors show under their fields. */
  | { status: 'error'; message: string };

export interface DiagnosisPanelProps {
  run: TestRun;
  headingId: string;
  onClose(): void;
}

export function DiagnosisPanel({ run, headingId, onClose }: DiagnosisPanelProps) {
  const styles = useStyles();
  const diagnosis = run.status === 'done' ? run.diagnosis : undefined;
  const failedStep = diagnosis?.failure ? diagnosis.steps.find((s) => s.id === diagnosis.failure?.step) : undefined;
  return (
    <section aria-labelledby={headingId} className={styles.panel}>
      <div className={styles.header}>
        <div className={styles.headerText}>
          <h3 id={headingId} tabIndex={-1} className={styles.heading}>
            Connection test
          </h3>
          <div role="status" className={styles.summary}>
            {run.status === 'running' && <Spinner size="extra-tiny" label="Testing…" />}
            {run.status === 'error' && 'The test could not start.'}
            {diagnosis && (
              <>
                <StatusIcon status={diagnosis.ok ? 'passed' : 'failed'} />
                {diagnosis.ok ? 'Passed' : 'Failed'} — {diagnosis.target}, {formatMs(diagnosis.totalMs)} in all,{' '}
                {formatStarted(diagnosis.startedAt)}
              </>
            )}
          </div>
        </div>
        {run.status !== 'running' && (
          <Button appearance="subtle" icon={<Dismiss20Regular />} aria-label="Close the test report" onClick={onClose} />
        )}
      </div>

      {run.status === 'error' && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Check the profile</MessageBarTitle>
            {run.message}
          </MessageBarBody>
        </MessageBar>
      )}

      {diagnosis?.failure && <AdviceBox advice={diagnosis.failure} headingLevel={4} context={failedStep?.title} />}

      {diagnosis && diagnosis.steps.length > 0 && (
        <table className={styles.table}>
          <caption className={styles.visuallyHidden}>
            Test steps
          </caption>
          <thead>
            <tr>
              <th scope="col" className={styles.th}>
                Step
              </th>
              <th scope="col" className={styles.th}>
                Result
              </th>
              <th scope="col" className={mergeClasses(styles.th, styles.timeHeader)}>
                Time
              </th>
              <th scope="col" className={styles.th}>
                What happened
              </th>
            </tr>
          </thead>
          <tbody>
            {diagnosis.steps.map((step, i) => {
              const last = i === diagnosis.steps.length - 1;
              const td = mergeClasses(styles.td, last && styles.lastRow);
              return (
                <tr key={`${step.id}-${i}`} data-step={step.id}>
                  <th scope="row" className={mergeClasses(td, styles.stepTitle)}>
                    {step.title}
                  </th>
                  <td className={td}>
                    <span className={styles.status}>
                      <StatusIcon status={step.status} />
                      {STATUS_TEXT[step.status]}
                    </span>
                  </td>
                  <td className={mergeClasses(td, styles.time)}>{step.status === 'skipped' ? '—' : formatMs(step.durationMs)}</td>
                  <td className={mergeClasses(td, styles.what)}>
                    {step.summary}
                    {step.details.length > 0 && (
                      <dl className={styles.details}>
                        {step.details.map((d, j) => (
                          <div key={`${d.label}-${j}`} className={styles.detailPair}>
                            <dt className={styles.detailTerm}>{d.label}</dt>
                            <dd className={styles.detailValue}>{d.value}</dd>
                          </div>
                        ))}
                      </dl>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function formatMs(ms: number): string {
  return `${Math.round(ms).toLocaleString('en')} ms`;
}

function formatStarted(iso: string): string {
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? iso : `at ${when.toLocaleTimeString()}`;
}
