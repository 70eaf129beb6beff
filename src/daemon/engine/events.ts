/**
 * Lifecycle event bus. Subscribers get every event (optionally of one
 * domain) in order; a throwing subscriber is dropped, not the emitter, and
 * the drop is reported (with the subscriber's error) through `onDrop`.
 */
import type { EventWithDetail, LifecycleEvent } from '../state.js';

export type EventListener = (event: LifecycleEvent) => void;

/** Told when a subscriber threw and was unsubscribed. */
export type DropReporter = (error: unknown, event: LifecycleEvent) => void;

export class EventBus {
  readonly #listeners = new Set<EventListener>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly onDrop: DropReporter = () => undefined,
  ) {}

  get subscribers(): number {
    return this.#listeners.size;
  }

  subscribe(listener: EventListener, filter?: { uuid?: string }): () => void {
    const l: EventListener = filter?.uuid === undefined
      ? listener
      : (e) => {
        if (e.uuid === filter.uuid) listener(e);
      };
    this.#listeners.add(l);
    return () => {
      this.#listeners.delete(l);
    };
  }

  emit(domain: { name: string; uuid: string }, what: EventWithDetail): LifecycleEvent {
    const event = {
      ...what,
      domain: domain.name,
      uuid: domain.uuid,
      timestamp: new Date(this.now()).toISOString(),
    } as LifecycleEvent;
    for (const l of [...this.#listeners]) {
      try {
        l(event);
      } catch (e) {
        this.#listeners.delete(l);
        this.onDrop(e, event);
      }
    }
    return event;
  }
}
