import type { ClientMessage, RoadmapEvent, ServerMessage } from '@roadmap/core';
import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import type { clientMessageSchema, roadmapEventSchema, serverMessageSchema } from './messageSchemas.js';

/** Each member of a union as one flat object: core builds events as intersections, zod as objects. */
type Flat<Type> = Type extends unknown ? { [Key in keyof Type]: Type[Key] } : never;

// The live streams' JSON Schemas are exactly the messages the server sends and takes.
expectTypeOf<Flat<z.output<typeof roadmapEventSchema>>>().toEqualTypeOf<Flat<RoadmapEvent>>();
expectTypeOf<Flat<z.output<typeof serverMessageSchema>>>().toEqualTypeOf<Flat<ServerMessage>>();
expectTypeOf<Flat<z.output<typeof clientMessageSchema>>>().toEqualTypeOf<Flat<ClientMessage>>();
