// Loopback HTTP through a keep-alive agent: one server and one agent for the file, sequential
// requests in every test. Shared by the http and requests workloads (which differ in size).
const http = require('node:http');

// Mocha names them before/after; Jest and Vitest beforeAll/afterAll.
const setUp = typeof beforeAll === 'function' ? beforeAll : before;
const tearDown = typeof afterAll === 'function' ? afterAll : after;

/** Declares a describe block of `tests` tests making `requests` requests each. */
function keepAliveSuite(title, { tests, requests }) {
  let server;
  let agent;
  let port;

  function get(path) {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  }

  describe(title, () => {
    setUp(async () => {
      server = http.createServer((req, res) => res.end(`hello ${req.url}`));
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = server.address().port;
      agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      await get('/warm-up');
    });

    tearDown(async () => {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    for (let t = 0; t < tests; t++) {
      it(`makes ${requests} requests (#${t})`, async () => {
        for (let i = 0; i < requests; i++) {
          const body = await get(`/${i}`);
          if (body !== `hello /${i}`) throw new Error(`unexpected body ${body}`);
        }
      });
    }
  });
}

module.exports = { keepAliveSuite };
