/**
 * Meeting features on Parley's protocol: raised hands (an ordered queue per room), reactions (a
 * small fixed set of emoji relayed to the room) and the host's spotlight. All of it rides on
 * signaling, so it works the same in mesh rooms and rooms through the forwarding unit.
 * See docs/PROTOCOL.md, "Hands, reactions and spotlight".
 */
import { z } from 'zod/mini';
import type { ErrorReply } from './messages';
import { ID_MAX } from './limits';

/** The reactions a participant may send, in the order the toolbar shows them. */
export const REACTIONS = ['👍', '👏', '😂', '❤️', '🎉', '😮'] as const;
export type Reaction = (typeof REACTIONS)[number];

/** Reactions one participant may send in a burst... */
export const REACTION_BURST = 5;
/** ...and how many per second flow back in after it. */
export const REACTIONS_PER_SECOND = 1;
/** Hand raises and lowers one participant may make in a burst (a flapping hand is noise for everyone)... */
export const HAND_BURST = 6;
/** ...and how many per second flow back in after it. */
export const HANDS_PER_SECOND = 0.5;

const idSchema = z.string().check(z.minLength(1), z.maxLength(ID_MAX));

/** Client -> server events of this part, each acknowledged with an OkReply. */
export const meetingClientEvents = {
  /** Raise your own hand; it joins the end of the room's queue (raising it again keeps its place). */
  'hand-raise': z.strictObject({}),
  /** Lower your own hand (no `id`, or your own) or, as the host, anyone's. */
  'hand-lower': z.strictObject({ id: z.optional(idSchema) }),
  /** Send a reaction to everyone else in the room. */
  'reaction-send': z.strictObject({
    emoji: z.enum(REACTIONS, { message: `emoji: one of ${REACTIONS.join(' ')}` }),
  }),
  /** Host only: feature one participant in everyone's layout (`id`), or nobody (`null`). */
  spotlight: z.strictObject({ id: z.nullable(idSchema) }),
} as const;
export type MeetingClientEventName = keyof typeof meetingClientEvents;

/** The room's hands and spotlight, as every member sees them. */
export interface MeetingState {
  /** Participants with a raised hand, in the order they raised it (first = longest waiting). */
  hands: string[];
  /** The participant the host spotlighted for everyone, or null. */
  spotlight: string | null;
}

/** A reaction as the server relays it. */
export interface ReactionEvent {
  /** The sender (stamped by the server). */
  from: string;
  emoji: Reaction;
  /** Server time of receipt, milliseconds since the epoch. */
  at: number;
}

export interface MeetingServerEvents {
  /** The room's hands or spotlight changed. (The join reply carries them as `meeting`.) */
  'meeting-state': (msg: MeetingState) => void;
  /** Someone else in the room reacted. */
  reaction: (msg: ReactionEvent) => void;
}

export type MeetingOkReply = { ok: true } | ErrorReply;

export interface MeetingClientEvents {
  'hand-raise': (req: Record<string, never>, ack: (reply: MeetingOkReply) => void) => void;
  'hand-lower': (req: { id?: string }, ack: (reply: MeetingOkReply) => void) => void;
  'reaction-send': (req: { emoji: Reaction }, ack: (reply: MeetingOkReply) => void) => void;
  spotlight: (req: { id: string | null }, ack: (reply: MeetingOkReply) => void) => void;
}
