import { accessErrorIds, accessErrorMessages } from './accessErrors';
import { recordingErrorIds, recordingErrorMessages } from './recording';

/**
 * Stable error ids. A reply or `error` event carries one of these; the web app turns it into
 * a sentence. Never rename an id: clients match on it.
 */
export const ErrorId = {
  /** The payload did not match the event's schema (wrong type, missing or oversized field). */
  InvalidMessage: 'invalid-message',
  /** The event name is not part of the protocol. */
  UnknownEvent: 'unknown-event',
  /** The event needs a joined participant and this connection has not joined a room. */
  NotJoined: 'not-joined',
  /** `join` on a connection that is already in a room. */
  AlreadyJoined: 'already-joined',
  /** A signal addressed to a participant id that is not in the sender's room. */
  UnknownParticipant: 'unknown-participant',
  /** The room already has the maximum number of participants. */
  RoomFull: 'room-full',
  /** The connection sent more messages than its limit allows. */
  RateLimited: 'rate-limited',
  /** The server is shutting down and accepts no new joins. */
  ShuttingDown: 'shutting-down',
  /** Too many of this connection's requests are still waiting for a reply; wait for them. */
  QueueFull: 'queue-full',
  /** The server has too much expensive work (password checks) waiting; try again shortly. */
  ServerBusy: 'server-busy',
  /** A forwarding-unit message (`sfu-*`) in a room whose media does not go through the server. */
  NotSfu: 'not-sfu',
  /** The room's media goes through the server's forwarding unit and this client cannot take part in one. */
  SfuRequired: 'sfu-required',
  /** The server could not apply an offer (unparsable SDP, no codec in common, a mid it does not know). */
  NegotiationFailed: 'negotiation-failed',
  /** With several servers: the server cannot reach the shared state (Redis) to decide this safely. */
  ClusterUnavailable: 'cluster-unavailable',
  /** The room is end-to-end encrypted and the join (or chat message) was not. */
  E2eeRequired: 'e2ee-required',
  /** The room is not end-to-end encrypted and the join asked for it. */
  E2eeOff: 'e2ee-off',
  ...accessErrorIds,
  ...recordingErrorIds,
} as const;
export type ErrorId = (typeof ErrorId)[keyof typeof ErrorId];

/** Default English sentences for each error id (the UI may phrase them its own way). */
export const errorMessages: Record<ErrorId, string> = {
  'invalid-message': 'The message was not understood.',
  'unknown-event': 'The server does not know this kind of message.',
  'not-joined': 'Join a room first.',
  'already-joined': 'This connection is already in a room.',
  'unknown-participant': 'That participant is not in your room.',
  'room-full': 'This room is full.',
  'rate-limited': 'Too many messages; slow down.',
  'shutting-down': 'The server is restarting; try again in a moment.',
  'queue-full': 'Too many requests are waiting for a reply; wait for them before sending more.',
  'server-busy': 'The server is busy; try again in a moment.',
  'not-sfu': "This room's media does not go through the server.",
  'sfu-required': 'This room is too large for a direct call and this app cannot join it through the server; update it.',
  'negotiation-failed': 'The server could not set up media with this offer.',
  'cluster-unavailable': 'The server cannot reach the rest of the service right now; try again in a moment.',
  'e2ee-required': 'This room is end-to-end encrypted: join it with its key link or passphrase.',
  'e2ee-off': 'This room is not end-to-end encrypted: join it without a key, or pick another room.',
  ...accessErrorMessages,
  ...recordingErrorMessages,
};
