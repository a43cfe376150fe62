import { expect } from 'chai';
import { isPatched, patchMethod, patchProperty, unpatch } from '../../dist/adapters/clients/patch-method.js';

class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

describe('patchMethod (the client adapters\' one way to patch)', function () {
  it('wraps a class method, keeping it non-enumerable, and unpatch puts the original back', function () {
    const original = Greeter.prototype.greet;
    expect(patchMethod<Greeter['greet']>(Greeter.prototype, 'greet', (greet) => function (this: Greeter, name) {
      return greet.call(this, name).toUpperCase();
    })).to.equal(true);
    expect(new Greeter().greet('you')).to.equal('HELLO YOU');
    expect(Object.getOwnPropertyDescriptor(Greeter.prototype, 'greet')!.enumerable).to.equal(false);
    expect(isPatched(Greeter.prototype, 'greet')).to.equal(true);
    expect(unpatch(Greeter.prototype, 'greet')).to.equal(true);
    expect(Greeter.prototype.greet).to.equal(original);
    expect(isPatched(Greeter.prototype, 'greet')).to.equal(false);
  });

  it('is idempotent: a method already patched is left alone', function () {
    const target = { count: () => 1 };
    let made = 0;
    const make = (count: () => number) => (made++, () => count() + 1);
    expect(patchMethod(target, 'count', make)).to.equal(true);
    expect(patchMethod(target, 'count', make)).to.equal(false);
    expect(target.count()).to.equal(2);
    expect(made).to.equal(1);
  });

  it("keeps an object's own method enumerable, and shadows an inherited one only while patched", function () {
    const own = { run: () => 'run' };
    patchMethod(own, 'run', (run) => run);
    expect(Object.keys(own)).to.deep.equal(['run']);
    const child = Object.create(new Greeter()) as Greeter;
    patchMethod<Greeter['greet']>(child, 'greet', () => () => 'patched');
    expect(Object.keys(child)).to.deep.equal([]);
    expect(child.greet('x')).to.equal('patched');
    unpatch(child, 'greet');
    expect(Object.hasOwn(child, 'greet')).to.equal(false);
    expect(child.greet('x')).to.equal('hello x');
  });

  it('leaves a method someone replaced after us in place (removing ours would remove theirs)', function () {
    const target = { send: () => 'sent' };
    patchMethod(target, 'send', (send) => () => `ours ${send()}`);
    const ours = target.send;
    target.send = () => `theirs ${ours()}`;
    expect(unpatch(target, 'send')).to.equal(false);
    expect(target.send()).to.equal('theirs ours sent');
  });

  it('patches nothing that is not a method, nor a property that cannot be redefined', function () {
    expect(patchMethod({ value: 1 } as Record<string, unknown>, 'value', (v) => v)).to.equal(false);
    expect(patchMethod({} as Record<string, unknown>, 'missing', (v) => v)).to.equal(false);
    const frozen = Object.freeze({ go: () => 'go' });
    expect(patchMethod(frozen, 'go', () => () => 'patched')).to.equal(false);
    expect(frozen.go()).to.equal('go');
  });

  it('patches an accessor (patchProperty) and restores what was there', function () {
    const proto = {} as Record<string, unknown>;
    let seen: unknown;
    patchProperty(proto, 'field', { configurable: true, get: () => undefined, set: (value) => (seen = value) });
    proto.field = 3;
    expect(seen).to.equal(3);
    expect(unpatch(proto, 'field')).to.equal(true);
    expect(Object.getOwnPropertyDescriptor(proto, 'field')).to.equal(undefined);
  });
});
