// Loopback HTTP: one server and one keep-alive agent for the file, sequential requests per test.
const http = require('node:http');
const { tests: TESTS, requests: REQUESTS } = require('./size').sizes.http;

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

// Mocha names them before/after; Jest and Vitest beforeAll/afterAll.
const setUp = typeof beforeAll === 'function' ? beforeAll : before;
const tearDown = typeof afterAll === 'function' ? afterAll : after;

describe('loopback HTTP', () => {
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

  for (let t = 0; t < TESTS; t++) {
    it(`makes ${REQUESTS} requests (#${t})`, async () => {
      for (let i = 0; i < REQUESTS; i++) {
        const body = await get(`/${i}`);
        if (body !== `hello /${i}`) throw new Error(`unexpected body ${body}`);
      }
    });
  }
});
