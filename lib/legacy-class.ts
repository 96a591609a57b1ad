// Node's http classes (Server, IncomingMessage, OutgoingMessage, ServerResponse, ClientRequest,
// Agent) are plain functions, and libraries depend on it: they call them without `new`
// (`http.Server(listener)`) and inherit the pre-ES2015 way, `util.inherits(Sub, http.Agent)` with
// `http.Agent.call(this, options)` in Sub's constructor (agentkeepalive, light-my-request). An
// ES class throws "Class constructor ... cannot be invoked without 'new'" on both.
//
// So each of our classes is written as a TypeScript class for its methods and accessors (its
// constructor never runs: fields are `declare`d), and the constructor users see is a function
// made here (with the public name: `util.inspect` and stack traces show it). It initialises
// `this` in place when called on an existing object (the `.call` pattern), constructs with
// `new` (and, for the classes Node lets, without it), and has the class's prototype, so
// `instanceof`, `class X extends http.Agent` and the prototype methods behave as on Node.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClass = abstract new (...args: any[]) => object;

// The constructor's signature is the init function's; statics are the class's.
export type LegacyConstructor<C extends AnyClass, A extends unknown[]> = {
  new (...args: A): InstanceType<C>;
  (...args: A): InstanceType<C>;
  prototype: InstanceType<C>;
} & Omit<C, 'prototype'>;

// `newOptional`: Node's Server and Agent construct when called without `new`; its
// IncomingMessage, OutgoingMessage, ServerResponse and ClientRequest initialise whatever `this`
// they are given, so without `new` (no `this`) they throw a TypeError.
export function legacyConstructor<C extends AnyClass, A extends unknown[]>(
  name: string,
  methods: C,
  init: (this: InstanceType<C>, ...args: A) => void,
  { newOptional = false }: { newOptional?: boolean } = {},
): LegacyConstructor<C, A> {
  const constructor = function (this: InstanceType<C> | undefined, ...args: A) {
    if (newOptional && !(this instanceof constructor)) return new constructor(...args);
    if (this === undefined) throw new TypeError(`Cannot read properties of undefined (reading '_events')`);
    init.apply(this, args);
    return undefined;
  } as unknown as LegacyConstructor<C, A>;
  Object.defineProperty(constructor, 'name', { value: name, configurable: true });
  // `length` is the init function's parameter count, as Node's constructor's is (Agent.length 1).
  Object.defineProperty(constructor, 'length', { value: init.length, configurable: true });
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
  // Statics: the base class's (Readable.from, EventEmitter.defaultMaxListeners, ...) through the
  // prototype chain, the class's own copied.
  Object.setPrototypeOf(constructor, Object.getPrototypeOf(methods));
  for (const key of Reflect.ownKeys(methods)) {
    if (key === 'prototype' || key === 'name' || key === 'length') continue;
    Object.defineProperty(constructor, key, Object.getOwnPropertyDescriptor(methods, key) as PropertyDescriptor);
  }
  return constructor;
}
