// The look of the record lists beside an editor (server profiles, system users): heading, actions,
// a bordered scrolling list whose rows show a name line with badges and a detail line; and the
// layout of the tab around them.
import { makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import { VISUALLY_HIDDEN } from './visually-hidden';

export const useRecordListStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    minWidth: 0,
  },
  heading: {
    ...typographyStyles.subtitle2,
    margin: 0,
  },
  toolbar: {
    padding: 0,
    marginLeft: `calc(-1 * ${tokens.spacingHorizontalS})`,
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalXXS,
  },
  toolButton: {
    minWidth: 'auto',
    paddingInline: tokens.spacingHorizontalXS,
  },
  list: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
    padding: tokens.spacingVerticalXS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    maxHeight: 'calc(100vh - 360px)',
    minHeight: '64px',
    overflowY: 'auto',
  },
  item: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    borderLeft: `3px solid transparent`,
    cursor: 'pointer',
    color: tokens.colorNeutralForeground1,
    ':hover': {
      backgroundColor: tokens.colorNeutralBackground1Hover,
    },
    ':focus-visible': {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: `calc(-1 * ${tokens.strokeWidthThick})`,
    },
  },
  selected: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
    borderLeftColor: tokens.colorCompoundBrandStroke,
    ':hover': {
      backgroundColor: tokens.colorNeutralBackground1Selected,
    },
  },
  nameLine: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
    minWidth: 0,
  },
  name: {
    ...typographyStyles.body1Strong,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
  },
  badge: {
    ...typographyStyles.caption2Strong,
    flexShrink: 0,
    paddingInline: tokens.spacingHorizontalXS,
    borderRadius: tokens.borderRadiusSmall,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandStroke2}`,
    color: tokens.colorBrandForeground2,
  },
  neutralBadge: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    color: tokens.colorNeutralForeground2,
  },
  errorMark: {
    flexShrink: 0,
    display: 'inline-flex',
    color: tokens.colorPaletteRedForeground1,
  },
  detail: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  empty: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
    margin: 0,
    padding: tokens.spacingVerticalS,
  },
  visuallyHidden: {
    ...VISUALLY_HIDDEN,
  },
});

/** The tab around such a list: list on the left (kept in view), editor on the right, and an empty state. */
export const useMasterDetailStyles = makeStyles({
  // Side by side down to a small window (800 pixels: the list narrower, the editor's fields in
  // view at once); one above the other only where the editor would be squeezed.
  root: {
    display: 'grid',
    gridTemplateColumns: '300px minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalXXXL,
    rowGap: tokens.spacingVerticalXL,
    alignItems: 'start',
    paddingTop: tokens.spacingVerticalL,
    '@media (max-width: 1100px)': {
      gridTemplateColumns: '248px minmax(0, 1fr)',
      columnGap: tokens.spacingHorizontalXL,
    },
    '@media (max-width: 640px)': {
      gridTemplateColumns: 'minmax(0, 1fr)',
    },
  },
  master: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    position: 'sticky',
    top: tokens.spacingVerticalL,
    minWidth: 0,
    '@media (max-width: 640px)': {
      position: 'static',
    },
  },
  empty: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    maxWidth: '480px',
    padding: tokens.spacingHorizontalXL,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke1}`,
  },
  emptyHeading: {
    ...typographyStyles.subtitle2,
    margin: 0,
  },
  emptyText: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
});
