import { expect } from 'chai';
import { join } from 'node:path';
import { DIST } from '../support/run';
import type { ResourceKind } from '../../src/tracker/resource-kinds';
import type { ResourceRecord } from '../../src/tracker/scope';

const { creationSite } = require(join(DIST, 'tracker', 'creation-site.js')) as typeof import('../../src/tracker/creation-site');

const cwd = process.cwd();
const NODE = 'listOnTimeout (node:internal/timers:594:17)';
const PACKAGE = `poll (${cwd}/node_modules/some-client/poll.js:8:3)`;
const USER = `Context.<anonymous> (${cwd}/test/orders.spec.js:12:5)`;

function stackOf(...frames: string[]): string {
  return ['Error', ...frames.map((frame) => `    at ${frame}`)].join('\n');
}

function record(frames: string[], creator?: ResourceRecord, describe: ResourceKind['describe'] = () => 'setTimeout(poll, 50 ms)'): ResourceRecord {
  const kind = { describe } as ResourceKind;
  return { type: 'Timeout', resource: {}, kind, creator, stack: stackOf(...frames) };
}

describe('where a resource was created (tracker/creation-site)', function () {
  it('is its own stack when that names a user frame', function () {
    const site = creationSite(record([NODE, USER], record([USER])), 5);
    expect(site).to.include({ text: 'at Context.<anonymous> (test/orders.spec.js:12:5)', hasUserFrame: true, viaCreator: false });
  });

  it("borrows the nearest creator's user frames when its own are all Node's or a package's, and says so", function () {
    const start = record([USER]);
    const rearmed = record([NODE, PACKAGE], record([NODE, PACKAGE], start));
    const site = creationSite(rearmed, 5);
    expect(site).to.include({ hasUserFrame: true, viaCreator: true });
    expect(site.text.split('\n')).to.deep.equal([
      'at poll (node_modules/some-client/poll.js:8:3)',
      'via a callback of Timeout setTimeout(poll, 50 ms), created',
      'at Context.<anonymous> (test/orders.spec.js:12:5)',
    ]);
  });

  it('names the creator by its type alone when describing it throws', function () {
    const creator = record([USER], undefined, () => {
      throw new Error('gone');
    });
    expect(creationSite(record([NODE], creator), 5).text.split('\n')).to.deep.equal([
      'via a callback of Timeout, created',
      'at Context.<anonymous> (test/orders.spec.js:12:5)',
    ]);
  });

  it('is its own stack, with no user frame, when no creator has one either', function () {
    const site = creationSite(record([NODE, PACKAGE], record([PACKAGE])), 5);
    expect(site).to.include({ text: 'at poll (node_modules/some-client/poll.js:8:3)', hasUserFrame: false, viaCreator: false });
  });
});
