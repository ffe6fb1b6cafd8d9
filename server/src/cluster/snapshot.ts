import type { ChatMessage } from '@parley/protocol';
import { RESUME_GRACE_MS, type AccessControl } from '../access/AccessControl';
import { publishRecording } from '../recording/recordingEvents';
import type { RecordingSnapshot } from '../recording/RoomRecording';
import type { Room } from '../Room';
import type { RoomRegistry } from '../RoomRegistry';
import type { SfuRoom } from '../sfu/SfuRoom';
import type { RoomHooks } from './Cluster';
import type { MeetingJSON } from '../meeting/Meeting';

/**
 * A room's state as its home writes it to Redis after each change, and as the server that takes
 * the room over (its home stopped or died) starts from. Members are not carried over: they
 * reconnect and rejoin with their resume tokens, past the lock, password and lobby like a
 * participant whose connection dropped, and the host among them gets the role back.
 */
export interface RoomSnapshot {
  v: 1;
  topology: 'mesh' | 'sfu';
  capacity: number;
  hostId: string | null;
  locked: boolean;
  lobby: boolean;
  passwordHash: string | null;
  bans: Array<[string, number]>;
  chat: { history: ChatMessage[]; seen: Array<[string, ChatMessage]> };
  /** Participants (present, or dropped and still allowed to resume) by id: resume allowed until. */
  members: Array<[string, number]>;
  /** Who records and the room's recording setting (absent from servers before recording). */
  recording?: RecordingSnapshot;
  /** Raised hands in queue order and the spotlight, of members who may come back (absent before them). */
  meeting?: MeetingJSON;
  /** The room is end-to-end encrypted (absent before it: not). */
  e2ee?: boolean;
}

export interface SnapshotDeps {
  rooms: RoomRegistry;
  access: AccessControl;
  /** The forwarding unit's state for a room, or null when it cannot run here. */
  sfuRoom(name: string): SfuRoom | null;
  /** Participants a room through the forwarding unit holds (ROOM_MAX). */
  roomMax: number;
}

/** Read and apply room snapshots on this server's rooms. */
export class RoomSnapshots implements RoomHooks {
  /** State to start a room from when it is made here. */
  readonly #pending = new Map<string, RoomSnapshot>();

  constructor(readonly deps: SnapshotDeps) {}

  snapshot(name: string): RoomSnapshot | null {
    const room = this.deps.rooms.get(name);
    if (!room) return null;
    const access = this.deps.access.of(room);
    const until = Date.now() + RESUME_GRACE_MS;
    const members = new Map<string, number>(this.deps.access.droppedIn(name));
    for (const p of room.participants()) members.set(p.id, until);
    return {
      v: 1,
      topology: room.topology,
      capacity: room.capacity,
      hostId: access.hostId,
      locked: access.locked,
      lobby: access.lobby,
      passwordHash: access.passwordHash,
      bans: this.deps.access.bans.entries(name),
      chat: room.chat.toJSON(),
      members: [...members],
      recording: room.recording.toJSON(),
      meeting: room.meeting.toJSON((id) => members.has(id)),
      e2ee: room.e2ee,
    };
  }

  restore(name: string, state: unknown): void {
    const s = state as Partial<RoomSnapshot> | null;
    if (!s || s.v !== 1) throw new Error('unknown room state version');
    const live = this.deps.rooms.get(name);
    if (live) this.#apply(live, s as RoomSnapshot);
    else this.#pending.set(name, s as RoomSnapshot);
  }

  /** A room was made here: start it from the state it was taken over with, if any. */
  created(room: Room): void {
    const s = this.#pending.get(room.name);
    if (!s) return;
    this.#pending.delete(room.name);
    this.#apply(room, s);
  }

  /** Another server holds the room now: its participants here reconnect and rejoin there. */
  lost(name: string): void {
    this.#pending.delete(name);
    const room = this.deps.rooms.get(name);
    if (!room) return;
    for (const m of [...room.members()]) m.reconnect?.();
  }

  #apply(room: Room, s: RoomSnapshot): void {
    const access = this.deps.access.of(room);
    access.locked = s.locked === true;
    access.lobby = s.lobby === true;
    access.passwordHash = typeof s.passwordHash === 'string' ? s.passwordHash : null;
    if (access.hostId === null) access.returningHost = typeof s.hostId === 'string' ? s.hostId : null;
    if (Array.isArray(s.bans)) this.deps.access.bans.restore(room.name, s.bans);
    if (s.chat && room.chat.size === 0) room.chat.restore(s.chat);
    if (s.meeting && room.size === 0) room.meeting.restore(s.meeting);
    if (room.size === 0) room.e2ee = s.e2ee === true;
    const now = Date.now();
    if (Array.isArray(s.members)) {
      for (const [id, until] of s.members) {
        if (typeof id === 'string' && typeof until === 'number' && until > now) this.deps.access.dropped(room.name, id);
      }
    }
    if (s.recording && !room.recording.active) {
      room.recording.restore(s.recording);
      // A recorder that does not come back (its browser closed with the old server) is not shown
      // as recording for longer than a dropped participant may resume.
      if (room.recording.active) {
        setTimeout(() => {
          if (room.recording.stopAllBut((id) => room.has(id))) publishRecording(room);
        }, RESUME_GRACE_MS).unref();
      }
    }
    if (s.topology === 'sfu' && room.topology === 'mesh') {
      const media = this.deps.sfuRoom(room.name);
      if (media) room.useSfu(media, this.deps.roomMax);
    }
  }
}
