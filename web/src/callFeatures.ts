import { ChatClient } from './chat/ChatClient';
import { FileTransfers } from './files/FileTransfers';
import type { Call } from './media/Call';
import { MeetingClient } from './meeting/MeetingClient';
import { meetingLink } from './meeting/meetingLink';
import { ScreenShare } from './screen/ScreenShare';

/** Chat, file sharing and screen sharing of one call. */
export interface CallFeatures {
  chat: ChatClient;
  files: FileTransfers;
  screen: ScreenShare;
  /** Hands, reactions, spotlight and your own pin. */
  meeting: MeetingClient;
}

const features = new WeakMap<Call, CallFeatures>();

/**
 * The features of `call`, created on first use. Call this before `call.start()` so that nothing
 * the server sends right after joining (chat history) is missed. They end with the call.
 */
export function featuresOf(call: Call): CallFeatures {
  let f = features.get(call);
  if (!f) {
    const made: CallFeatures = {
      chat: new ChatClient(call),
      files: new FileTransfers(call),
      screen: new ScreenShare(call),
      meeting: new MeetingClient(meetingLink(call)),
    };
    f = made;
    features.set(call, made);
    const off = call.on('change', (s) => {
      if (s.phase !== 'left' && s.phase !== 'failed') return;
      off();
      made.chat.dispose();
      made.files.dispose();
      made.screen.dispose();
      made.meeting.dispose();
    });
    Object.assign(window, { __parleyFiles: made.files, __parleyChat: made.chat, __parleyScreen: made.screen });
  }
  return f;
}
