import { parseHost, RestAccessPolicy, RestRequestFacts } from './rest-access.policy';

const FULL = 'full-token-0123456789';
const READ = 'read-token-abcdef';

const routes = { publicPaths: ['/', '/dashboard'], readOnlyPosts: ['/jars/:jarid/plan', '/savepoints/dry-run'] };
const open = new RestAccessPolicy({ fullTokens: [], readTokens: [], allowedHosts: ['runnel.example.com', 'Other.Example:9000'], ...routes });
const secured = new RestAccessPolicy({ fullTokens: [FULL], readTokens: [READ], allowedHosts: ['runnel.example.com', 'Other.Example:9000'], ...routes });

const req = (method: string, path: string, headers: Partial<RestRequestFacts> = {}): RestRequestFacts => ({
  method,
  path,
  secure: false,
  host: '127.0.0.1:8081',
  ...headers,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('RestAccessPolicy', () => {
  describe('Host (always checked, against DNS rebinding)', () => {
    it.each(['localhost:8081', '127.0.0.1:8081', '[::1]:8081', 'localhost', '10.1.2.3:8081', '[fe80::1]:80', 'runnel.example.com', 'RUNNEL.example.com:443', 'other.example:1'])(
      'accepts %s',
      (host) => expect(open.decide(req('GET', '/jobs', { host }))).toEqual({ allowed: true, role: 'anonymous' }),
    );

    it.each(['evil.example', 'evil.example:8081', 'localhost.evil.example', '127.0.0.1.nip.io', ''])('refuses %j with 403', (host) => {
      const decision = secured.decide(req('GET', '/jobs', { host, ...bearer(FULL) }));
      expect(decision).toMatchObject({ allowed: false, status: 403, code: 'FORBIDDEN' });
    });

    it('refuses a request without Host, and names ALLOWED_HOSTS for a foreign one', () => {
      expect(open.decide(req('GET', '/jobs', { host: undefined }))).toMatchObject({ allowed: false, status: 403 });
      expect(open.decide(req('GET', '/', { host: 'evil.example' }))).toMatchObject({ message: expect.stringContaining('ALLOWED_HOSTS') });
    });

    it('lets health probes in under any name and without a token', () => {
      expect(secured.decide(req('GET', '/health', { host: 'pod-7.internal:8081' }))).toEqual({ allowed: true, role: 'public' });
      expect(secured.decide(req('HEAD', '/health/'))).toEqual({ allowed: true, role: 'public' });
      expect(secured.decide(req('POST', '/health'))).toMatchObject({ allowed: false, status: 401 });
    });

    it('accepts any name with ALLOWED_HOSTS=*', () => {
      const any = new RestAccessPolicy({ fullTokens: [], readTokens: [], allowedHosts: ['*'] });
      expect(any.decide(req('GET', '/jobs', { host: 'whatever.example' }))).toMatchObject({ allowed: true });
    });
  });

  describe('cross-site state-changing requests (always refused)', () => {
    it.each([
      ['a foreign Origin', { origin: 'http://evil.example' }],
      ['Origin: null', { origin: 'null' }],
      ['another port of the same host', { origin: 'http://127.0.0.1:9999' }],
      ['another scheme', { origin: 'https://127.0.0.1:8081' }],
      ['another name of the same host', { origin: 'http://localhost:8081' }],
      ['an Origin that is no URL', { origin: 'evil' }],
      ['Sec-Fetch-Site: cross-site', { secFetchSite: 'cross-site' }],
      ['Sec-Fetch-Site: same-site', { secFetchSite: 'same-site', origin: 'http://127.0.0.1:8081' }],
    ])('refuses a POST with %s, even with the full token', (_what, headers) => {
      for (const policy of [open, secured]) {
        expect(policy.decide(req('POST', '/jars/upload', { ...headers, ...bearer(FULL) }))).toMatchObject({ allowed: false, status: 403, code: 'FORBIDDEN' });
      }
      expect(open.decide(req('PATCH', '/jobs/abc', headers))).toMatchObject({ allowed: false, status: 403 });
      expect(open.decide(req('DELETE', '/jars/abc', headers))).toMatchObject({ allowed: false, status: 403 });
    });

    it('accepts the service’s own origin (the dashboard), default ports included, and requests without Origin', () => {
      expect(open.decide(req('POST', '/jars/upload', { origin: 'http://127.0.0.1:8081', secFetchSite: 'same-origin' }))).toMatchObject({ allowed: true });
      expect(open.decide(req('POST', '/jars/upload', { host: 'localhost', origin: 'http://localhost:80' }))).toMatchObject({ allowed: true });
      expect(open.decide(req('POST', '/jars/upload', { host: '[::1]:8081', origin: 'http://[::1]:8081' }))).toMatchObject({ allowed: true });
      expect(open.decide(req('POST', '/jars/upload', { secure: true, host: 'runnel.example.com', origin: 'https://runnel.example.com' }))).toMatchObject({ allowed: true });
      expect(open.decide(req('POST', '/jars/upload', { secure: true, host: 'runnel.example.com', origin: 'http://runnel.example.com' }))).toMatchObject({ allowed: false });
      expect(secured.decide(req('POST', '/jars/upload', { secure: true, host: 'runnel.example.com', origin: 'https://runnel.example.com', ...bearer(FULL) }))).toMatchObject({ allowed: true });
      expect(open.decide(req('POST', '/jars/upload'))).toMatchObject({ allowed: true });
      expect(open.decide(req('POST', '/jars/upload', { secFetchSite: 'none' }))).toMatchObject({ allowed: true });
    });

    it('lets cross-site reads through (the browser does not let the page read the answer)', () => {
      expect(open.decide(req('GET', '/jobs', { origin: 'http://evil.example', secFetchSite: 'cross-site' }))).toMatchObject({ allowed: true });
    });
  });

  describe('tokens', () => {
    it('needs none when none is configured', () => {
      expect(open.authenticates).toBe(false);
      expect(open.decide(req('POST', '/jars/upload'))).toEqual({ allowed: true, role: 'anonymous' });
    });

    it('answers 401 without a token or with a wrong one, for reads and writes', () => {
      for (const headers of [{}, bearer('wrong'), bearer(FULL.slice(0, -1)), bearer(FULL + 'x'), { authorization: FULL }, { authorization: `Basic ${FULL}` }]) {
        expect(secured.decide(req('GET', '/jobs', headers))).toMatchObject({ allowed: false, status: 401, code: 'UNAUTHORIZED' });
        expect(secured.decide(req('POST', '/jars/upload', headers))).toMatchObject({ allowed: false, status: 401 });
      }
    });

    it('never puts a token into a message', () => {
      for (const headers of [bearer('wrong'), bearer(READ), {}]) {
        const decision = secured.decide(req('DELETE', '/jars/x', headers));
        expect(JSON.stringify(decision)).not.toContain(FULL);
        expect(JSON.stringify(decision)).not.toContain(READ);
      }
    });

    it('lets the full token do anything', () => {
      for (const [method, path] of [['GET', '/jobs'], ['POST', '/jars/upload'], ['PATCH', '/jobs/abc'], ['DELETE', '/jars/abc'], ['POST', '/jobs/abc/stop']]) {
        expect(secured.decide(req(method, path, bearer(FULL)))).toEqual({ allowed: true, role: 'full' });
      }
      expect(secured.decide(req('GET', '/jobs', { authorization: `bearer   ${FULL}  ` }))).toMatchObject({ allowed: true, role: 'full' });
    });

    it('lets a read-only token read and call the POSTs that change nothing, and nothing else (403)', () => {
      for (const [method, path] of [['GET', '/jobs'], ['HEAD', '/overview'], ['OPTIONS', '/jobs'], ['POST', '/jars/abc/plan'], ['POST', '/JARS/abc/plan/'], ['POST', '/savepoints/dry-run']]) {
        expect(secured.decide(req(method, path, bearer(READ)))).toEqual({ allowed: true, role: 'read' });
      }
      for (const [method, path] of [['POST', '/jars/upload'], ['POST', '/jars/abc/run'], ['POST', '/jars/abc/plan/x'], ['POST', '/jars//plan'], ['PATCH', '/jobs/abc'], ['DELETE', '/jars/abc'], ['POST', '/jobs/abc/savepoints'], ['PUT', '/savepoints/dry-run']]) {
        expect(secured.decide(req(method, path, bearer(READ)))).toMatchObject({ allowed: false, status: 403, code: 'FORBIDDEN', message: expect.stringContaining('read-only') });
      }
    });

    it('serves the public page without a token, but not its API', () => {
      expect(secured.decide(req('GET', '/'))).toEqual({ allowed: true, role: 'public' });
      expect(secured.decide(req('GET', '/dashboard'))).toEqual({ allowed: true, role: 'public' });
      expect(secured.decide(req('POST', '/'))).toMatchObject({ allowed: false, status: 401 });
      expect(secured.decide(req('GET', '/overview'))).toMatchObject({ allowed: false, status: 401 });
      expect(secured.decide(req('GET', '/', { host: 'evil.example' }))).toMatchObject({ allowed: false, status: 403 });
    });

    it('authenticates with read-only tokens alone (then nothing may change over REST)', () => {
      const readOnly = new RestAccessPolicy({ fullTokens: [], readTokens: [READ], allowedHosts: [] });
      expect(readOnly.authenticates).toBe(true);
      expect(readOnly.decide(req('GET', '/jobs', bearer(READ)))).toMatchObject({ allowed: true, role: 'read' });
      expect(readOnly.decide(req('POST', '/jars/upload', bearer(READ)))).toMatchObject({ allowed: false, status: 403 });
      expect(readOnly.decide(req('GET', '/jobs'))).toMatchObject({ allowed: false, status: 401 });
    });
  });
});

describe('parseHost', () => {
  it('splits name and port, lower-cased, and refuses what is not a host', () => {
    expect(parseHost('Example.COM:8081')).toEqual({ name: 'example.com', port: '8081' });
    expect(parseHost('[::1]')).toEqual({ name: '[::1]', port: '' });
    expect(parseHost('[::1]:80')).toEqual({ name: '[::1]', port: '80' });
    for (const bad of [undefined, '', 'a b', 'host:port', 'user@host', 'host/path', '::1']) expect(parseHost(bad)).toBeUndefined();
  });
});
