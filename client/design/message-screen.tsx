import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A full-page message (thanks, closed survey, not found…). The heading takes focus when the screen
 * appears so that screen-reader users hear what happened after the survey disappears.
 */
export function MessageScreen({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title" ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
      {action}
    </section>
  );
}
