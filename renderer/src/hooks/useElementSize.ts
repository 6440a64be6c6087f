// The size of an element as it is laid out, kept up to date as the window or its container is resized.
import { useLayoutEffect, useState, type RefObject } from 'react';

export interface ElementSize {
  /** The content box's width in pixels (what its children have to share). */
  width?: number;
  /** The border box's height in pixels (what it takes of the window); 0 while it is not shown. */
  height?: number;
}

/** Both undefined until the element is first laid out. */
export function useElementSize(ref: RefObject<HTMLElement | null>): ElementSize {
  const [size, setSize] = useState<ElementSize>({});
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = (width: number, height: number) =>
      setSize((was) => (was.width === width && was.height === height ? was : { width, height }));
    // Read at once, before the first paint, so a narrow window never flashes the wide layout.
    update(element.clientWidth, element.offsetHeight);
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      update(Math.round(entry.contentRect.width), Math.round(entry.borderBoxSize[0]?.blockSize ?? element.offsetHeight));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}
