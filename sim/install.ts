/**
 * A workspace installs the app through Slack's OAuth v2 flow, every step through the balancer (so any
 * replica may serve each): GET /slack/install → 302 to Slack's authorize page with a state, and a state
 * cookie; the page (the fake, approving for `team`) → 302 back to the redirect URI with a code; GET
 * /slack/oauth_redirect with the cookie → the server trades the code at oauth.v2.access and stores the
 * workspace's token. A 5xx or a dropped connection (a replica killed) starts the flow over.
 * The redirect URI is on medbill's public https address (MEDBILL_PUBLIC_URL), which a deployment's load
 * balancer terminates: here the browser's request to it goes to the loopback balancer (nothing leaves loopback).
 */
export async function install(balancerUrl: string, team: string, attempts = 5): Promise<void> {
  let last = '';
  for (let i = 0; i < attempts; i++) {
    try {
      const start = await fetch(`${balancerUrl}/slack/install`, { redirect: 'manual' });
      await start.arrayBuffer();
      const authorize = start.headers.get('location');
      const cookies = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      if (start.status !== 302 || !authorize) throw new Error(`/slack/install answered ${start.status}, not a redirect to Slack`);
      const page = new URL(authorize);
      page.searchParams.set('team', team);
      const approved = await fetch(page, { redirect: 'manual' });
      await approved.arrayBuffer();
      const back = approved.headers.get('location');
      if (approved.status !== 302 || !back) throw new Error(`the authorize page answered ${approved.status}`);
      const atBalancer = new URL(back);
      const done = await fetch(`${balancerUrl}${atBalancer.pathname}${atBalancer.search}`, { redirect: 'manual', headers: cookies ? { cookie: cookies } : {} });
      const text = await done.text();
      if (done.status === 200) return;
      throw new Error(`/slack/oauth_redirect answered ${done.status}: ${text.slice(0, 200)}`);
    } catch (err) {
      last = (err as Error).message;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`${team} could not install the app: ${last}`);
}
