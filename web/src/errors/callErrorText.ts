/** Why a call could not start or went on, as a sentence with what to do next. */
export function callErrorText(error: { id: string; message: string } | null): string {
  if (!error) return 'The call ended unexpectedly. Try joining again.';
  switch (error.id) {
    case 'unreachable':
      return 'Parley cannot reach its server. Check your internet connection, then try again.';
    case 'timeout':
      return 'The server is not answering. Wait a moment, then try again.';
    case 'room-full':
      return 'This room is full. Try again later or pick another room.';
    case 'replaced':
      return 'You joined this call from another tab or window, so this one was closed.';
    case 'shutting-down':
      return 'The server is restarting. Try again in a minute.';
    case 'cluster-unavailable':
      return 'The server cannot decide this right now. Wait a moment, then try again.';
    case 'e2ee-required':
      return 'This room is end-to-end encrypted. Join it with the link that carries its key, or with its passphrase.';
    case 'e2ee-off':
      return 'This room is not end-to-end encrypted. Join it without encryption, or pick another room name.';
    default:
      return error.message;
  }
}
