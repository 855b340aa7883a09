import { describe, expect, test } from 'vitest';
import { matchRoute } from '../../client/router';

describe('matchRoute', () => {
  test('home, respondent links and everything else', () => {
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/s/MPRpCJxY7PUE')).toEqual({ name: 'respond', link: 'MPRpCJxY7PUE' });
    expect(matchRoute('/s/abc_-9/')).toEqual({ name: 'respond', link: 'abc_-9' });
    expect(matchRoute('/s/a%20b')).toEqual({ name: 'respond', link: 'a b' });
    expect(matchRoute('/s/')).toEqual({ name: 'notFound' });
    expect(matchRoute('/s/a/b')).toEqual({ name: 'notFound' });
    expect(matchRoute('/admin')).toEqual({ name: 'admin', rest: '' });
    expect(matchRoute('/admin/')).toEqual({ name: 'admin', rest: '' });
    expect(matchRoute('/admin/runs/3')).toEqual({ name: 'admin', rest: 'runs/3' });
    expect(matchRoute('/administrator')).toEqual({ name: 'notFound' });
    expect(matchRoute('/nope')).toEqual({ name: 'notFound' });
  });

  test('a malformed escape is not a link', () => {
    expect(matchRoute('/s/%E0%A4%A')).toEqual({ name: 'notFound' });
  });
});
