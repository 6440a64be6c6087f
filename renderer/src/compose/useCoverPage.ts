// While a message is being written the settings page is out of sight, for people and for
// assistive technology alike: the window stands on a plain background of its own.
import { useEffect } from 'react';
import { makeStaticStyles } from '@fluentui/react-components';

const COVERED = 'data-behind-compose';
const usePageStyles = makeStaticStyles({
  [`#root[${COVERED}]`]: { visibility: 'hidden' },
});

export function useCoverPage(): void {
  usePageStyles();
  useEffect(() => {
    const root = document.getElementById('root');
    root?.setAttribute(COVERED, '');
    return () => root?.removeAttribute(COVERED);
  }, []);
}
