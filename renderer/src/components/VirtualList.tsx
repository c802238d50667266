import { type HTMLAttributes, type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';

interface VirtualListProps<T> extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  readonly items: ReadonlyArray<T>;
  readonly rowHeight: number;
  readonly renderRow: (item: T, index: number) => ReactNode;
  readonly rowKey: (item: T, index: number) => string | number;
  /** Scrolled into view whenever it changes, as keyboard selection moves. */
  readonly keepVisible?: number;
  /** A plain list (ul/li) rather than rows that carry their own roles. */
  readonly list?: boolean;
}

// Rows drawn beyond the visible ones, so fast scrolling shows no blank band.
const OVERSCAN = 8;

/**
 * Draws only the rows in view (fixed height), so lists of tens of thousands of files stay smooth.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  renderRow,
  rowKey,
  keepVisible,
  list = false,
  ...rest
}: VirtualListProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    setViewport(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = ref.current;
    if (!element || keepVisible === undefined || keepVisible < 0) return;
    const top = keepVisible * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight) {
      element.scrollTop = top + rowHeight - element.clientHeight;
    }
  }, [keepVisible, rowHeight]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + viewport) / rowHeight) + OVERSCAN);
  const Body = list ? 'ul' : 'div';
  const Row = list ? 'li' : 'div';
  return (
    <div ref={ref} {...rest} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
      <Body className="virtual-body" style={{ height: items.length * rowHeight }}>
        {items.slice(first, last).map((item, offset) => {
          const index = first + offset;
          return (
            <Row
              key={rowKey(item, index)}
              className="virtual-row"
              style={{ top: index * rowHeight, height: rowHeight }}
            >
              {renderRow(item, index)}
            </Row>
          );
        })}
      </Body>
    </div>
  );
}
