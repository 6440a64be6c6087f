// The look of the compose window: a large dialog whose header fields line their labels up in one
// column, the From profile marked required, and the outcome and footer below the message.
import { makeStyles, tokens, typographyStyles } from '@fluentui/react-components';

const LABEL_COLUMN = '72px';

export const useComposeStyles = makeStyles({
  backdrop: {
    backgroundColor: tokens.colorNeutralBackground3,
  },
  surface: {
    width: 'min(1040px, calc(100vw - 48px))',
    maxWidth: 'none',
    height: 'calc(100vh - 48px)',
    paddingBottom: tokens.spacingVerticalL,
  },
  body: {
    height: '100%',
    maxHeight: 'none',
    gridTemplateRows: 'auto 1fr auto',
  },
  content: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    minHeight: 0,
    overflowY: 'auto',
    // Room for the fields' focus outlines at the scroll edges.
    paddingInline: tokens.spacingHorizontalXXS,
    paddingBlock: tokens.spacingVerticalXXS,
  },
  fields: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    flexShrink: 0,
  },
  field: {
    gridTemplateColumns: `${LABEL_COLUMN} 1fr`,
  },
  required: {
    borderLeftWidth: '3px',
    borderLeftStyle: 'solid',
    borderLeftColor: tokens.colorPaletteRedBorder2,
    ':hover': { borderLeftColor: tokens.colorPaletteRedBorder2 },
    ':active,:focus-within': { borderLeftColor: tokens.colorPaletteRedBorder2 },
  },
  control: {
    width: '100%',
    minWidth: 0,
  },
  option: {
    display: 'flex',
    flexDirection: 'column',
  },
  optionDetail: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
  },
  outcome: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    flexShrink: 0,
  },
  note: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
  footerText: {
    ...typographyStyles.body1,
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'center',
    rowGap: tokens.spacingVerticalXXS,
    minWidth: 0,
    color: tokens.colorNeutralForeground2,
  },
  // Blocks, not inline text: each is one box however many lines it wraps to.
  reason: {
    display: 'block',
    color: tokens.colorNeutralForeground1,
  },
  status: {
    display: 'block',
  },
  footerActions: {
    flexWrap: 'wrap',
  },
});
