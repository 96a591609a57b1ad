// Node's http classes (Server, IncomingMessage, OutgoingMessage, ServerResponse, ClientRequest,
// Agent) are plain functions, and libraries depend on it: they call them without `new`
// (`http.Server(listener)`) and inherit the pre-ES2015 way, `util.inherits(Sub, http.Agent)` with
// `http.Agent.call(this, options)` in Sub's constructor (agentkeepalive, light-my-request). An
// ES class throws "Class constructor ... cannot be invoked without 'new'" on both.
//
// So each of our classes is written as a TypeScript class for its methods and accessors (its
// constructor never runs: fields are `declare`d), and the constructor users see is a plain
// function, given here the class's prototype, so `instanceof`, `class X extends http.Agent` and
// the prototype methods behave as on Node. That function is the class's own initialiser, not a
// wrapper that calls it: V8 sizes an object made by `new F` from the `this.x = ...` assignments
// it counts in F's body and in the functions on F's [[Prototype]] chain (the base classes' own
// constructors), and an object whose fields do not fit goes on growing an out-of-line property
// store, one reallocation every few fields (a ServerResponse's ~50 fields cost ~4 KB per
// response that way, against ~0.5 KB in place). So each constructor assigns its own fields in
// its own body, and begins with Node's rule for a call without `new`: Server and Agent construct
// (`if (!(this instanceof X)) return new X(...)`), the others require a `this` (requireThis).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClass = abstract new (...args: any[]) => object;

// The constructor's signature is the init function's; statics are the class's.
export type LegacyConstructor<C extends AnyClass, A extends unknown[]> = {
  new (...args: A): InstanceType<C>;
  (...args: A): InstanceType<C>;
  prototype: InstanceType<C>;
} & Omit<C, 'prototype'>;

// Node's IncomingMessage, OutgoingMessage, ServerResponse and ClientRequest initialise whatever
// `this` they are given: called without `new` (no `this`) they fail on its first field.
export function requireThis(self: unknown): void {
  if (self === undefined) throw new TypeError(`Cannot read properties of undefined (reading '_events')`);
}

export function legacyConstructor<C extends AnyClass, A extends unknown[]>(
  name: string,
  methods: C,
  init: (this: InstanceType<C>, ...args: A) => unknown,
): LegacyConstructor<C, A> {
  const constructor = init as unknown as LegacyConstructor<C, A>;
  Object.defineProperty(constructor, 'name', { value: name, configurable: true });
  constructor.prototype = methods.prototype;
  // Node's classes get their methods by assignment (`Agent.prototype.getName = function ...`), so
  // the methods are enumerable and `for (key in agent)` lists them; class methods are not.
  // Accessors stay as they are: Node defines those with defineProperty, not enumerable.
  for (const key of Reflect.ownKeys(methods.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(methods.prototype, key) as PropertyDescriptor;
    if (key !== 'constructor' && typeof descriptor.value === 'function' && !descriptor.enumerable) {
      Object.defineProperty(methods.prototype, key, { ...descriptor, enumerable: true });
    }
  }
  Object.defineProperty(methods.prototype, 'constructor', {
    value: constructor,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  // The base class's constructor, as Node's (ServerResponse's [[Prototype]] is OutgoingMessage):
  // the statics (Readable.from, EventEmitter.defaultMaxListeners, ...) come through it, and V8
  // counts its fields into ours. The class's own statics are copied.
  const base = Object.getPrototypeOf(methods.prototype) as { constructor: object } | null;
  Object.setPrototypeOf(constructor, base === null || base === Object.prototype ? Function.prototype : base.constructor);
  for (const key of Reflect.ownKeys(methods)) {
    if (key === 'prototype' || key === 'name' || key === 'length') continue;
    Object.defineProperty(constructor, key, Object.getOwnPropertyDescriptor(methods, key) as PropertyDescriptor);
  }
  return constructor;
}
