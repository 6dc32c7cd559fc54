// Router suite: Router.match on ~50 realistic routes (a REST API in the shape of GitHub's, plus
// static assets and a catch-all), per kind of request. find-my-way (fastify's router, installed
// with fastify) runs the same table as context; its `find` returns the handler and params like ours.
// Every router's answer is checked against the expected route before it is timed.
import { createRequire } from 'node:module';

export const name = 'router';
export const description = 'Router.match on ~50 routes (static / params / regex / wildcard / 404 / 405) vs find-my-way';

const ROUTES = [
  ['GET', '/'], ['GET', '/health'], ['GET', '/metrics'], ['GET', '/favicon.ico'], ['GET', '/robots.txt'],
  ['GET', '/login'], ['POST', '/login'], ['POST', '/logout'], ['GET', '/signup'], ['POST', '/signup'],
  ['GET', '/user'], ['PATCH', '/user'], ['GET', '/user/repos'], ['POST', '/user/repos'], ['GET', '/user/keys'],
  ['GET', '/users'], ['GET', '/users/{username}'], ['GET', '/users/{username}/repos'],
  ['GET', '/users/{username}/followers'], ['GET', '/users/{username}/following/{target}'],
  ['GET', '/orgs/{org}'], ['PATCH', '/orgs/{org}'], ['GET', '/orgs/{org}/repos'], ['POST', '/orgs/{org}/repos'],
  ['GET', '/orgs/{org}/members/{username}'], ['DELETE', '/orgs/{org}/members/{username}'],
  ['GET', '/repos/{owner}/{repo}'], ['PATCH', '/repos/{owner}/{repo}'], ['DELETE', '/repos/{owner}/{repo}'],
  ['GET', '/repos/{owner}/{repo}/issues'], ['POST', '/repos/{owner}/{repo}/issues'],
  ['GET', '/repos/{owner}/{repo}/issues/{number:\\d+}'], ['PATCH', '/repos/{owner}/{repo}/issues/{number:\\d+}'],
  ['GET', '/repos/{owner}/{repo}/issues/{number:\\d+}/comments'],
  ['GET', '/repos/{owner}/{repo}/pulls'], ['GET', '/repos/{owner}/{repo}/pulls/{number:\\d+}'],
  ['GET', '/repos/{owner}/{repo}/commits/{sha:[0-9a-f]{7,40}}'], ['GET', '/repos/{owner}/{repo}/branches'],
  ['GET', '/repos/{owner}/{repo}/branches/{branch}'], ['GET', '/repos/{owner}/{repo}/contents/{*path}'],
  ['GET', '/repos/{owner}/{repo}/releases/latest'], ['GET', '/repos/{owner}/{repo}/releases/{id:\\d+}'],
  ['GET', '/search/repositories'], ['GET', '/search/issues'], ['GET', '/search/users'],
  ['GET', '/gists/{id}'], ['POST', '/gists'], ['GET', '/api/v1/items/{id}'], ['PUT', '/api/v1/items/{id}'],
  ['GET', '/static/{*file}'],
];

// [label, method, path, expected pattern or 404/405]
const REQUESTS = [
  ['static (Map hit)', 'GET', '/user/repos', '/user/repos'],
  ['1 param', 'GET', '/users/octocat', '/users/{username}'],
  ['2 params + static tail', 'GET', '/repos/nodejs/node/issues', '/repos/{owner}/{repo}/issues'],
  ['3 params, regex', 'GET', '/repos/nodejs/node/issues/1234', '/repos/{owner}/{repo}/issues/{number:\\d+}'],
  ['static beats param', 'GET', '/repos/nodejs/node/releases/latest', '/repos/{owner}/{repo}/releases/latest'],
  ['wildcard', 'GET', '/repos/nodejs/node/contents/lib/internal/http.js', '/repos/{owner}/{repo}/contents/{*path}'],
  ['percent-decoded param', 'GET', '/users/caf%C3%A9', '/users/{username}'],
  ['404', 'GET', '/nope/nothing/here', 404],
  ['405', 'DELETE', '/users/octocat', 405],
];

function toFindMyWay(pattern) {
  return pattern
    .replace(/\{\*[A-Za-z_$][\w$]*\}/g, '*')
    .replace(/\{([A-Za-z_$][\w$]*):([^/]+)\}/g, (_m, n, re) => `:${n}(^${re}$)`)
    .replace(/\{([A-Za-z_$][\w$]*)\}/g, ':$1');
}

export async function run(ctx) {
  let mod;
  try {
    mod = await import(new URL('router.js', ctx.dist).href);
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return { skipped: 'dist/router.js not built' };
    throw err;
  }
  const router = new mod.Router();
  for (const [m, p] of ROUTES) router.add(m, p, p);

  let fmw = null;
  try {
    const FindMyWay = createRequire(import.meta.url)('find-my-way');
    fmw = FindMyWay();
    for (const [m, p] of ROUTES) fmw.on(m, toFindMyWay(p), () => p, { pattern: p });
  } catch (err) {
    ctx.log(`find-my-way unavailable (${err.message}); measuring wasmlane only`);
  }

  const rows = [];
  for (const [label, method, path, expected] of REQUESTS) {
    const got = router.match(method, path);
    const ok = expected === 404 ? got.kind === 'not-found' : expected === 405 ? got.kind === 'method-not-allowed' : got.kind === 'found' && got.value === expected;
    if (!ok) throw new Error(`router: ${method} ${path} → ${JSON.stringify(got)}, expected ${expected}`);
    const ours = ctx.measure(`${label}: wasmlane`, () => router.match(method, path), { group: label });
    rows.push(ours);
    if (fmw !== null) {
      const found = fmw.find(method, path);
      const fmwOk = typeof expected === 'number' ? found === null : found?.store?.pattern === expected;
      if (fmwOk) {
        const theirs = ctx.measure(`${label}: find-my-way`, () => fmw.find(method, path), { group: label });
        ours.ratio = ctx.speedup(ours, theirs); // > 1: wasmlane is faster
        rows.push(theirs);
      }
    }
  }
  const mixed = REQUESTS.filter(([, , , e]) => typeof e === 'string');
  let i = 0;
  rows.push(ctx.measure('mixed found requests: wasmlane', () => {
    const [, m, p] = mixed[i++ % mixed.length];
    return router.match(m, p);
  }, { group: 'mixed' }));

  ctx.printTable(rows, [ctx.columns.label, ctx.columns.ns, ctx.columns.ratio('ratio', 'vs find-my-way')], {
    title: `Router.match, ${ROUTES.length} routes`,
    groupKey: 'group',
  });
  return ctx.save({ routes: ROUTES.length, rows });
}
