/**
 * An event bus for any kind of object: each event names the kind of object
 * (`kind`), the object (name, UUID), what happened and when. Subscribers get
 * every event (optionally of one object) in order; a throwing subscriber is
 * dropped, not the emitter, and reported through `onDrop`. The domain bus
 * (engine/events.ts) is the same idea with libvirt's lifecycle detail types;
 * it can become an instance of this one.
 */
export interface ObjectEvent<K extends string = string, E extends string = string> {
  readonly kind: K;
  readonly name: string;
  readonly uuid: string;
  /** The domain an object belongs to (a snapshot's; `uuid` is then the domain's UUID). */
  readonly domain?: string;
  readonly event: E;
  readonly timestamp: string;
}

export class ObjectEventBus<K extends string, E extends string> {
  readonly #listeners = new Set<(e: ObjectEvent<K, E>) => void>();

  constructor(
    readonly kind: K,
    private readonly now: () => number = Date.now,
    private readonly onDrop: (error: unknown, event: ObjectEvent<K, E>) => void = () => undefined,
  ) {}

  get subscribers(): number {
    return this.#listeners.size;
  }

  subscribe(listener: (e: ObjectEvent<K, E>) => void, filter?: { uuid?: string }): () => void {
    const l = filter?.uuid === undefined ? listener : (e: ObjectEvent<K, E>) => {
      if (e.uuid === filter.uuid) listener(e);
    };
    this.#listeners.add(l);
    return () => {
      this.#listeners.delete(l);
    };
  }

  emit(obj: { readonly name: string; readonly uuid: string; readonly domain?: string }, event: E): ObjectEvent<K, E> {
    const e: ObjectEvent<K, E> = {
      kind: this.kind, name: obj.name, uuid: obj.uuid, ...(obj.domain === undefined ? {} : { domain: obj.domain }), event, timestamp: new Date(this.now()).toISOString(),
    };
    for (const l of [...this.#listeners]) {
      try {
        l(e);
      } catch (err) {
        this.#listeners.delete(l);
        this.onDrop(err, e);
      }
    }
    return e;
  }
}
