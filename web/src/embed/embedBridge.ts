import { FROM_CALL, isCallCommand, type CallCommandMessage, type CallEventMessage } from '../../../embed/src/messages';
import type { Call, CallSnapshot } from '../media/Call';

/**
 * The call page's side of @parley/embed (embed/src/messages.ts has the other): when the app
 * runs in a frame whose address carries `?embed=<parent origin>`, and the server allows that
 * origin (FRAME_ANCESTORS, read from /embed.json), it tells the parent what happens in the call
 * and obeys its commands. It posts only to that origin and reads only the parent window's
 * messages from it; anything else is ignored. Without a valid parent it does nothing at all.
 */
export interface EmbedParent {
  readonly origin: string;
  post(message: DistributiveOmit<CallEventMessage, 'source'>): void;
  /** Listen to the parent's commands; returns the function that stops listening. */
  onCommand(listener: (command: CallCommandMessage['command']) => void): () => void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The parent origin the page asks for, if it is framed and asks at all. */
function requestedParent(): string | null {
  if (window.parent === window) return null;
  const asked = new URLSearchParams(window.location.search).get('embed');
  if (asked === null) return null;
  try {
    const origin = new URL(asked).origin;
    if (origin !== asked) return null;
    // Where the browser names the frame's ancestors (Chromium), the parent must be the one asked for.
    const ancestors = window.location.ancestorOrigins as DOMStringList | undefined;
    if (ancestors && ancestors.length > 0 && ancestors[0] !== origin) return null;
    return origin;
  } catch {
    return null;
  }
}

async function findParent(): Promise<EmbedParent | null> {
  const origin = requestedParent();
  if (origin === null) return null;
  let allowed: unknown;
  try {
    allowed = ((await (await fetch('/embed.json')).json()) as { frameAncestors?: unknown }).frameAncestors;
  } catch {
    return null;
  }
  if (!Array.isArray(allowed) || !allowed.includes(origin)) {
    console.warn(`embedded by ${origin}, which FRAME_ANCESTORS does not name: no events are sent to it`);
    return null;
  }
  return {
    origin,
    post(message) {
      window.parent.postMessage({ source: FROM_CALL, ...message }, origin);
    },
    onCommand(listener) {
      const onMessage = (e: MessageEvent): void => {
        if (e.source !== window.parent || e.origin !== origin || !isCallCommand(e.data)) return;
        listener(e.data.command);
      };
      window.addEventListener('message', onMessage);
      return () => window.removeEventListener('message', onMessage);
    },
  };
}

let parent: Promise<EmbedParent | null> | null = null;

/**
 * The embedding parent, found once from the address the app was opened with (later in-app
 * navigation drops the query) and greeted with `ready`.
 */
export function embedParent(): Promise<EmbedParent | null> {
  if (parent === null) {
    parent = findParent().then((p) => {
      p?.post({ type: 'ready' });
      return p;
    });
  }
  return parent;
}

/**
 * Tell `parent` about `call` (joined, left, chat, microphone) and obey its commands; `leave`
 * is how the page leaves a call (it also moves away from the call screen). Returns the
 * function that stops.
 */
export function bridgeCall(parent: EmbedParent, call: Call, room: string, leave: () => void): () => void {
  let joined = false;
  let muted: boolean | null = null;
  const onChange = (s: CallSnapshot): void => {
    if (s.phase === 'joined' && !joined && s.self) {
      joined = true;
      parent.post({ type: 'join', room, self: { id: s.self.id, name: s.self.name } });
    }
    if (joined && (s.phase === 'left' || s.phase === 'failed')) {
      joined = false;
      const removed = s.error?.id === 'removed' || s.error?.id === 'ended';
      parent.post({ type: 'leave', room, reason: s.phase === 'left' ? 'left' : removed ? 'removed' : 'failed' });
    }
    if (joined && muted !== !s.media.audio) {
      muted = !s.media.audio;
      parent.post({ type: 'audio', muted });
    }
  };
  const offs = [
    call.on('change', onChange),
    call.signaling.on('chat', ({ message }) => {
      parent.post({
        type: 'chat',
        room,
        message: {
          from: { id: message.from, name: message.fromName },
          text: message.text,
          at: message.at,
          private: message.to !== undefined,
        },
      });
    }),
    parent.onCommand((command) => {
      if (command === 'mute') call.setAudioEnabled(false);
      else if (command === 'unmute') call.setAudioEnabled(true);
      else leave();
    }),
  ];
  onChange(call.snapshot);
  return () => {
    for (const off of offs) off();
    // Leaving ends the bridge before the call says `left`: tell the parent now.
    if (joined && call.snapshot.phase !== 'joined' && call.snapshot.phase !== 'reconnecting') onChange(call.snapshot);
  };
}
