// The console's pages under /admin (the router hands over the rest of the path, decision 014).
// Pure: '/admin/runs/3' → { page: 'run', id: '3' }.

export const NAV_PAGES = ['waves', 'quotas', 'responses', 'imports', 'runs', 'audit', 'users'] as const;
export type NavPage = (typeof NAV_PAGES)[number];

export type AdminRoute =
  | { page: NavPage }
  | { page: 'wave'; id: string }
  | { page: 'response'; id: string }
  | { page: 'run'; id: string }
  | { page: 'notFound' };

export function parseAdminPath(rest: string): AdminRoute {
  const parts = rest.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '\u0000';
    }
  });
  if (parts.length === 0) return { page: 'waves' };
  const [first, id, ...more] = parts;
  if (more.length > 0 || parts.includes('\u0000')) return { page: 'notFound' };
  if (id === undefined) return (NAV_PAGES as readonly string[]).includes(first) ? { page: first as NavPage } : { page: 'notFound' };
  if (first === 'waves') return { page: 'wave', id };
  if (first === 'responses') return { page: 'response', id };
  if (first === 'runs') return { page: 'run', id };
  return { page: 'notFound' };
}

/** The nav entry a route belongs to (a run's review is under "Runs"). */
export function navOf(route: AdminRoute): NavPage | null {
  switch (route.page) {
    case 'wave':
      return 'waves';
    case 'response':
      return 'responses';
    case 'run':
      return 'runs';
    case 'notFound':
      return null;
    default:
      return route.page;
  }
}

export const adminHref = (path: string) => `/admin${path.startsWith('/') || path === '' ? path : `/${path}`}`;
