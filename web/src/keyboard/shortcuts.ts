/** The call screen's keyboard shortcuts: one table used by the key handler and the help dialog. */

export type ShortcutAction = 'toggle-mic' | 'toggle-camera' | 'toggle-chat' | 'leave' | 'help' | 'toggle-layout';

export interface Shortcut {
  action: ShortcutAction;
  /** What the help dialog shows, e.g. "M" or "Ctrl+Shift+L". */
  keys: string;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'toggle-mic', keys: 'M', description: 'Mute or unmute your microphone' },
  { action: 'toggle-camera', keys: 'V', description: 'Turn your camera off or on' },
  { action: 'toggle-chat', keys: 'C', description: 'Open or close the chat' },
  { action: 'toggle-layout', keys: 'L', description: 'Switch between grid and speaker layout' },
  { action: 'leave', keys: 'Ctrl+Shift+L', description: 'Leave the call' },
  { action: 'help', keys: '?', description: 'Show this list of shortcuts' },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** The focused element's tag and role: typing in a field never triggers a shortcut. */
  targetTag?: string;
  targetEditable?: boolean;
}

const TYPING_TAGS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);

/** The action a key press asks for, or null. */
export function shortcutFor(e: KeyLike): ShortcutAction | null {
  if (e.targetEditable || (e.targetTag !== undefined && TYPING_TAGS.has(e.targetTag))) return null;
  if (e.altKey || e.metaKey) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.ctrlKey) return e.shiftKey && key === 'l' ? 'leave' : null;
  if (key === '?') return 'help';
  if (e.shiftKey) return null;
  switch (key) {
    case 'm':
      return 'toggle-mic';
    case 'v':
      return 'toggle-camera';
    case 'c':
      return 'toggle-chat';
    case 'l':
      return 'toggle-layout';
    default:
      return null;
  }
}
