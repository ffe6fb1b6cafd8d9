import {
  TO_CALL,
  isCallEvent,
  type CallCommandMessage,
  type CallEventMessage,
  type EmbedChatMessage,
  type EmbedParticipant,
} from './messages.js';

export type { EmbedChatMessage, EmbedParticipant } from './messages.js';

export interface CreateCallOptions {
  /** The Parley server, e.g. `https://meet.example.org` (its operator must list your origin in FRAME_ANCESTORS). */
  server: string;
  /** The room to join. */
  room: string;
  /** Your display name; without it the call asks for one. */
  name?: string;
  /** The frame's size (CSS); default `100%` by `100%` of the element. */
  width?: string;
  height?: string;
  /** Accessible title of the frame; default `Parley call in room <room>`. */
  title?: string;
}

/** Why the call cannot show in this page. */
export interface EmbedError {
  reason: 'not-allowed' | 'unreachable';
  message: string;
}

/** The events of an embedded call and their listeners' signatures. */
export interface EmbedEvents {
  /** The call page loaded in the frame; commands are obeyed from now on. */
  ready: () => void;
  /** You joined the room. */
  join: (event: { room: string; self: EmbedParticipant }) => void;
  /** You left the room (`left`), were removed by the host (`removed`), or the call failed (`failed`). */
  leave: (event: { room: string; reason: 'left' | 'removed' | 'failed' }) => void;
  /** A chat message arrived (yours included). */
  chat: (event: { room: string; message: EmbedChatMessage }) => void;
  /** Your microphone was turned on or off. */
  audio: (event: { muted: boolean }) => void;
  /** The server does not allow this page to embed it, or cannot be reached. */
  error: (error: EmbedError) => void;
}

/** A call embedded in an element. */
export interface EmbeddedCall {
  /** The frame holding the call. */
  readonly iframe: HTMLIFrameElement;
  /** Listen to `event`; returns the function that stops listening. */
  on<K extends keyof EmbedEvents>(event: K, listener: EmbedEvents[K]): () => void;
  off<K extends keyof EmbedEvents>(event: K, listener: EmbedEvents[K]): void;
  /** Turn your microphone off / on. */
  mute(): void;
  unmute(): void;
  /** Leave the room (the frame stays, showing Parley's start page). */
  leave(): void;
  /** Remove the frame and every listener. Idempotent. */
  dispose(): void;
}

/** What a frame needs to hand to the call: camera, microphone, screen sharing, full screen. */
const FRAME_ALLOW = 'camera; microphone; display-capture; fullscreen; autoplay';

function serverOrigin(server: unknown): URL {
  if (typeof server !== 'string')
    throw new TypeError('options.server must be a string such as "https://meet.example.org"');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new TypeError(`options.server is not a URL: "${server}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`options.server must be an http(s) URL, got "${server}"`);
  return url;
}

/**
 * Put a Parley call for `options.room` in `element`: an iframe on the server's call page, and
 * an object to command it and hear what happens in it. Messages go only to the server's origin
 * and only the frame's messages from that origin are read.
 *
 * ```ts
 * const call = createCall(document.getElementById('call')!, { server: 'https://meet.example.org', room: 'standup', name: 'Ada' });
 * call.on('join', ({ self }) => console.log('joined as', self.name));
 * call.on('error', (e) => console.warn(e.message));
 * ```
 */
export function createCall(element: HTMLElement, options: CreateCallOptions): EmbeddedCall {
  if (!(element instanceof HTMLElement)) throw new TypeError('element must be an HTMLElement');
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const base = serverOrigin(options.server);
  const origin = base.origin;
  if (typeof options.room !== 'string' || options.room === '') throw new TypeError('options.room must be a room name');
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
    throw new TypeError('options.name must be a non-empty string when given');

  const path =
    options.name === undefined
      ? `/r/${encodeURIComponent(options.room)}`
      : `/call/${encodeURIComponent(options.name)}/${encodeURIComponent(options.room)}`;
  const src = new URL(path, base);
  // Tells the call page which parent to talk to; it checks the origin against FRAME_ANCESTORS.
  src.searchParams.set('embed', window.location.origin);

  const iframe = document.createElement('iframe');
  iframe.src = src.href;
  iframe.allow = FRAME_ALLOW;
  iframe.title = options.title ?? `Parley call in room ${options.room}`;
  iframe.style.border = '0';
  iframe.style.width = options.width ?? '100%';
  iframe.style.height = options.height ?? '100%';

  const listeners = new Map<keyof EmbedEvents, Set<(...args: never[]) => void>>();
  const emit = <K extends keyof EmbedEvents>(event: K, ...args: Parameters<EmbedEvents[K]>): void => {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        (listener as (...a: Parameters<EmbedEvents[K]>) => void)(...args);
      } catch (err) {
        console.error(`@parley/embed: a "${event}" listener failed`, err);
      }
    }
  };

  const onMessage = (e: MessageEvent): void => {
    if (e.origin !== origin || e.source !== iframe.contentWindow || !isCallEvent(e.data)) return;
    const m: CallEventMessage = e.data;
    switch (m.type) {
      case 'ready':
        return emit('ready');
      case 'join':
        return emit('join', { room: m.room, self: m.self });
      case 'leave':
        return emit('leave', { room: m.room, reason: m.reason });
      case 'chat':
        return emit('chat', { room: m.room, message: m.message });
      case 'audio':
        return emit('audio', { muted: m.muted });
    }
  };
  window.addEventListener('message', onMessage);

  let disposed = false;
  // Ask the server first, so a page it does not allow hears why instead of seeing an empty frame.
  fetch(new URL('/embed.json', base), { credentials: 'omit' })
    .then((res) => res.json() as Promise<{ frameAncestors?: unknown }>)
    .then((info) => {
      if (disposed) return;
      const allowed = Array.isArray(info.frameAncestors) && info.frameAncestors.includes(window.location.origin);
      if (!allowed)
        emit('error', {
          reason: 'not-allowed',
          message: `${origin} does not allow ${window.location.origin} to embed its calls; its operator can add it to FRAME_ANCESTORS`,
        });
    })
    .catch(() => {
      if (!disposed) emit('error', { reason: 'unreachable', message: `cannot reach ${origin}/embed.json` });
    });
  element.appendChild(iframe);

  const send = (command: CallCommandMessage['command']): void => {
    if (disposed) return;
    const message: CallCommandMessage = { source: TO_CALL, command };
    iframe.contentWindow?.postMessage(message, origin);
  };

  const call: EmbeddedCall = {
    iframe,
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => call.off(event, listener);
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener);
    },
    mute: () => send('mute'),
    unmute: () => send('unmute'),
    leave: () => send('leave'),
    dispose() {
      if (disposed) return;
      disposed = true;
      window.removeEventListener('message', onMessage);
      listeners.clear();
      iframe.remove();
    },
  };
  return call;
}
