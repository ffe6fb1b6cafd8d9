import type { MediaState, Participant, ParticipantId, Topology } from '@parley/protocol';
import { ChatLog } from './chat/ChatLog';
import { RoomRecording } from './recording/RoomRecording';
import { Meeting } from './meeting/Meeting';
import type { SfuRoom } from './sfu/SfuRoom';

/** What the room knows of one joined participant. The transport is abstract so rooms stay testable. */
export interface Member {
  readonly participant: Participant;
  /** Deliver a server event to this member only. */
  send(event: string, payload: unknown): void;
  /** The same participant rejoined on a new connection: tell the old one and close it. */
  evict(): void;
  /** The member's client can take part in a room through the forwarding unit. */
  readonly sfu?: boolean;
  /** Cut the member's connection so its client reconnects and rejoins (the room moved to another server). */
  reconnect?(): void;
}

/**
 * One call room: owns its members. A member is added in one place (`add`) and removed in one
 * place (`remove`); the registry drops the room when the last member leaves.
 */
export class Room {
  readonly #members = new Map<ParticipantId, Member>();
  /** The room's chat history; it lives as long as the room. */
  readonly chat = new ChatLog();
  /** Who records the call (announced to everyone); it lives as long as the room. */
  readonly recording = new RoomRecording();
  /** Raised hands and the spotlight; they live as long as the room. */
  readonly meeting = new Meeting();
  /**
   * The room is end-to-end encrypted: its first joiner said so, and everyone after must join
   * encrypted too (and the other way round). The server never holds the key.
   */
  e2ee = false;
  /** How the room's media travels; a mesh may move to the forwarding unit, never back. */
  #topology: Topology = 'mesh';
  /** The room's media state in the forwarding unit (topology `sfu`). */
  #media: SfuRoom | null = null;

  constructor(
    readonly name: string,
    public capacity: number,
  ) {}

  get topology(): Topology {
    return this.#topology;
  }

  get media(): SfuRoom | null {
    return this.#media;
  }

  /** From now on the room's media goes through the forwarding unit, up to `capacity` people. */
  useSfu(media: SfuRoom, capacity: number): void {
    this.#topology = 'sfu';
    this.#media = media;
    this.capacity = capacity;
  }

  /** The room is released: its media state goes with it. */
  close(): void {
    this.#media?.close();
  }

  /** True when every member's client can take part through the forwarding unit. */
  get allSfuCapable(): boolean {
    for (const m of this.#members.values()) if (!m.sfu) return false;
    return true;
  }

  members(): IterableIterator<Member> {
    return this.#members.values();
  }

  get size(): number {
    return this.#members.size;
  }

  get isFull(): boolean {
    return this.#members.size >= this.capacity;
  }

  get(id: ParticipantId): Member | undefined {
    return this.#members.get(id);
  }

  has(id: ParticipantId): boolean {
    return this.#members.has(id);
  }

  /** Participants in join order (oldest first), optionally without one id. */
  participants(except?: ParticipantId): Participant[] {
    const out: Participant[] = [];
    for (const [id, m] of this.#members) if (id !== except) out.push(m.participant);
    return out;
  }

  add(member: Member): void {
    const id = member.participant.id;
    if (this.#members.has(id)) throw new Error(`participant ${id} is already in room ${this.name}`);
    if (this.isFull) throw new Error(`room ${this.name} is full`);
    this.#members.set(id, member);
  }

  /** Remove a member; returns false when it was not there (removal is idempotent). */
  remove(id: ParticipantId): boolean {
    return this.#members.delete(id);
  }

  setMedia(id: ParticipantId, media: MediaState): Participant | undefined {
    const m = this.#members.get(id);
    if (!m) return undefined;
    m.participant.media = { ...media };
    return m.participant;
  }

  /** Send an event to every member except `except`. */
  broadcast(event: string, payload: unknown, except?: ParticipantId): void {
    for (const [id, m] of this.#members) if (id !== except) m.send(event, payload);
  }
}
