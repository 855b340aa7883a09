import { useEffect, useRef, useState } from 'react';

/**
 * The one bridge between React and Observable Plot: mounts the SVG (or legend) that `make` builds
 * for the container's current width, and rebuilds it when `make` or the width changes. Plot draws;
 * React only owns the box. Callers memoise `make` (useCallback) so a re-render does not redraw.
 */
export function PlotFigure({ make, className }: { make: (width: number) => Element; className?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.floor(el.getBoundingClientRect().width));
    measure();
    // Charts follow the column (a phone turned sideways, a resized window); print re-measures too.
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el || width === 0) return;
    const figure = make(width);
    // Plot labels the SVG (the chart's text alternative) and each mark's <g>; as an image the SVG
    // is announced once by its label, and the inner groups are its presentational parts.
    if (figure instanceof SVGSVGElement && figure.hasAttribute('aria-label')) {
      figure.setAttribute('role', 'img');
      for (const g of figure.querySelectorAll(':scope > g')) g.setAttribute('aria-hidden', 'true');
    }
    el.replaceChildren(figure);
    return () => figure.remove();
  }, [make, width]);

  return <div ref={box} className={className ?? 'plot-figure'} />;
}
