import type { RoadmapEvent } from '@roadmap/core';

/**
 * An event on its way to clients: the stored event and its JSON, serialized once by the hub for every client and
 * transport. Each transport frames the JSON its own way (a WebSocket text frame, an SSE `data:` line) and may cache
 * the frame per message.
 *
 * @internal
 */
export class OutgoingMessage {
  /** The event as stored. */
  readonly event: RoadmapEvent;
  /** `JSON.stringify(event)`: the body every transport sends. */
  readonly json: string;

  constructor(event: RoadmapEvent, json: string = JSON.stringify(event)) {
    this.event = event;
    this.json = json;
  }
}
