/** Error ids of room access and host actions (merged into `ErrorId`). Never rename an id. */
export const accessErrorIds = {
  /** A host action from a participant who is not the host. */
  NotHost: 'not-host',
  /** The room is locked: no new joins. */
  RoomLocked: 'room-locked',
  /** The room has a password and the join carried none. */
  PasswordRequired: 'password-required',
  /** The join carried a password that does not match. */
  WrongPassword: 'wrong-password',
  /** Too many password checks (failed ones count most) from this address or for this room. */
  PasswordLimited: 'password-limited',
  /** The host removed this person; they may rejoin after the ban window. */
  Banned: 'banned',
  /** The room has a lobby: the joiner waits until the host admits or denies them. */
  InLobby: 'in-lobby',
  /** The lobby is full. */
  LobbyFull: 'lobby-full',
  /** The server requires an invitation token and the join carried none. */
  TokenRequired: 'token-required',
  /** The token is malformed or its signature does not verify. */
  TokenInvalid: 'token-invalid',
  /** The token's expiry has passed. */
  TokenExpired: 'token-expired',
  /** The token names another room. */
  TokenWrongRoom: 'token-wrong-room',
  /** `host-transfer` to a participant whose invitation says `role: guest`. */
  CannotHost: 'cannot-host',
} as const;

export const accessErrorMessages = {
  'not-host': 'Only the host can do that.',
  'room-locked': 'This room is locked. Ask the host to unlock it.',
  'password-required': 'This room has a password.',
  'wrong-password': 'That password is not right.',
  'password-limited': 'Too many password attempts; wait a minute and try again.',
  banned: 'You were removed from this room and cannot rejoin yet.',
  'in-lobby': 'Waiting for the host to let you in.',
  'lobby-full': 'Too many people are waiting to enter this room. Try again later.',
  'token-required': 'This server needs an invitation link to join.',
  'token-invalid': 'This invitation link is not valid.',
  'token-expired': 'This invitation link has expired.',
  'token-wrong-room': 'This invitation is for another room.',
  'cannot-host': "That participant's invitation does not allow them to host.",
} as const;
