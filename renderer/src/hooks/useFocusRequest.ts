// Moves focus to an element once it is drawn: a new record's first field, a field in error, the
// neighbour of a deleted row. Asked for by CSS selector; tried again when the selection changes.
import { useEffect, useState } from 'react';

export function useFocusRequest(selectedId: string | undefined): (selector: string | null) => void {
  const [request, setRequest] = useState<string | null>(null);
  useEffect(() => {
    if (request === null) return;
    const element = document.querySelector<HTMLElement>(request);
    if (element) {
      element.focus();
      // The middle of the view: clear of the editor's sticky toolbar above and the footer below.
      element.scrollIntoView({ block: 'center' });
    }
    setRequest(null);
  }, [request, selectedId]);
  return setRequest;
}

/** The form control with this dot path as its name. */
export function byName(path: string): string {
  return `[name="${CSS.escape(path)}"]`;
}

/** A record list's row for this id. */
export function optionOf(id: string): string {
  return `[role="option"][id="${CSS.escape(id)}"]`;
}
