// Shown while a profile signs in to Exchange Online with a password: Microsoft is switching that off.
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles } from '@fluentui/react-components';
import { FIELD_MAX_WIDTH } from '../components/fields';

const useStyles = makeStyles({
  bar: {
    maxWidth: FIELD_MAX_WIDTH,
  },
});

export interface BasicRetirementNoticeProps {
  /** Absent where the profile cannot be changed (a non-administrator's view). */
  onSwitch?: () => void;
}

export function BasicRetirementNotice({ onSwitch }: BasicRetirementNoticeProps) {
  const styles = useStyles();
  return (
    <MessageBar intent="warning" layout="multiline" className={styles.bar}>
      <MessageBarBody>
        <MessageBarTitle>Password sign-in to Microsoft 365 is going away</MessageBarTitle>
        Exchange Online is retiring Basic authentication for SMTP AUTH. Existing tenants have it turned off by default
        from the end of December 2026; Microsoft will announce the date it is removed for good in the second half of 2027
        (Message Center MC786329). Move this profile to OAuth2 before then so mail keeps going out.
      </MessageBarBody>
      {onSwitch && (
        <MessageBarActions>
          <Button onClick={onSwitch}>Switch to OAuth2</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
