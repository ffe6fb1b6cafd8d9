import { Room } from './Room';

/** All live rooms of this server process, by name. Rooms exist while they have members. */
export class RoomRegistry {
  readonly #rooms = new Map<string, Room>();

  /** Told when a room is made and when it is dropped (the cluster keeps its lease and state). */
  hooks: { created(room: Room): void; released(room: Room): void } | null = null;

  constructor(readonly capacity: number) {}

  get roomCount(): number {
    return this.#rooms.size;
  }

  get participantCount(): number {
    let n = 0;
    for (const r of this.#rooms.values()) n += r.size;
    return n;
  }

  get(name: string): Room | undefined {
    return this.#rooms.get(name);
  }

  getOrCreate(name: string): Room {
    let room = this.#rooms.get(name);
    if (!room) {
      room = new Room(name, this.capacity);
      this.#rooms.set(name, room);
      this.hooks?.created(room);
    }
    return room;
  }

  /** Forget the room when nobody is left in it. */
  releaseIfEmpty(room: Room): void {
    if (room.size === 0 && this.#rooms.get(room.name) === room) {
      this.#rooms.delete(room.name);
      room.close();
      this.hooks?.released(room);
    }
  }
}
