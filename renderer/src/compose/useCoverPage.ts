// While a message is being written the settings page is out of sight, for people and for
// assistive technology alike: the window stands on a plain background of its own. The rule that
// hides it is in ../page.css, keyed on this attribute.
import { useEffect } from 'react';

const COVERED = 'data-behind-compose';

export function useCoverPage(): void {
  useEffect(() => {
    const root = document.getElementById('root');
    root?.setAttribute(COVERED, '');
    return () => root?.removeAttribute(COVERED);
  }, []);
}
