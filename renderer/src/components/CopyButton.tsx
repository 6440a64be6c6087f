// A button that puts a text on the clipboard and says so for a moment ("Copied"), aloud as well.
import { useEffect, useState } from 'react';
import { Button, makeStyles, type ButtonProps } from '@fluentui/react-components';
import { Checkmark20Regular, Copy20Regular } from '@fluentui/react-icons';
import { VISUALLY_HIDDEN } from './visually-hidden';

const useStyles = makeStyles({
  visuallyHidden: {
    ...VISUALLY_HIDDEN,
  },
});

const SHOWN_MS = 2000;

export interface CopyButtonProps {
  text: string;
  /** The button's label, like "Copy code". */
  label: string;
  /** What is announced once it is copied, like "Code copied". */
  copiedMessage: string;
  appearance?: ButtonProps['appearance'];
  size?: ButtonProps['size'];
  /** Only the icon shows; the label is the button's name and its tooltip. */
  iconOnly?: boolean;
}

type CopyState = 'idle' | 'copied' | 'failed';

export function CopyButton({ text, label, copiedMessage, appearance, size, iconOnly = false }: CopyButtonProps) {
  const styles = useStyles();
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };

  return (
    <>
      <Button
        appearance={appearance}
        size={size}
        icon={state === 'copied' ? <Checkmark20Regular /> : <Copy20Regular />}
        onClick={() => void copy()}
        {...(iconOnly ? { 'aria-label': label, title: label } : {})}
      >
        {iconOnly ? undefined : state === 'copied' ? 'Copied' : label}
      </Button>
      <span aria-live="polite" className={styles.visuallyHidden}>
        {state === 'copied' ? copiedMessage : state === 'failed' ? 'Could not copy. Select the text and copy it instead.' : ''}
      </span>
    </>
  );
}
