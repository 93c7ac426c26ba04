import { describe, expect, it } from 'vitest';
import { useStartedProject } from '../helpers/project-start.ts';

describe("a project's apps under path prefixes (langgraph.json http.apps), as on the Platform", () => {
  const project = useStartedProject('langgraph.apps.json');

  const json = async (path: string, init?: RequestInit) => {
    const answer = await fetch(`${project.url}${path}`, init);
    return { status: answer.status, body: answer.headers.get('content-type')?.includes('json') ? await answer.json() : await answer.text(), answer };
  };

  it('serves each app under its prefix, its root with or without the trailing slash', async () => {
    expect(await json('/dashboard')).toMatchObject({ status: 200, body: { name: 'dashboard' } });
    expect(await json('/dashboard/')).toMatchObject({ status: 200, body: { name: 'dashboard' } });
    expect(await json('/dashboard/metrics')).toMatchObject({ status: 200, body: { threads: 0 } });
  });

  it('adds the leading slash a prefix was given without ("ext" is /ext), and passes bodies through', async () => {
    expect(await json('/ext/')).toMatchObject({ status: 200, body: { name: 'extension' } });
    const echoed = await json('/ext/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hello' }) });
    expect(echoed).toMatchObject({ status: 200, body: { received: { text: 'hello' } } });
  });

  it('keeps the API and the root app (http.app) beside them; a path no app knows is still a 404', async () => {
    expect((await json('/info')).status).toBe(200);
    const hello = await json('/custom/hello');
    expect(hello).toMatchObject({ status: 200, body: { hello: 'world' } });
    // The root app's middleware wraps every response, the mounted apps' too, as on the Platform.
    expect((await json('/dashboard/')).answer.headers.get('x-served-by')).toBe('project-app');
    expect((await json('/dashboard/nothing-here')).status).toBe(404);
    expect((await json('/dashboardx')).status).toBe(404);
  });
});
