import type { CallFeatures } from '../callFeatures';
import { canStreamDownloads, DownloadSink } from '../files/downloadSink';
import { browserSaveFilePicker, DiskSink, MemorySink, type FileSink } from '../files/sinks';
import type { Call } from '../media/Call';
import { randomId } from '../randomId';
import { CallComposer, recordingMimeType, type CallMediaSource, type ComposeSource } from './CallComposer';
import { RecordingSession, type RecorderLike } from './RecordingSession';

/** The recording's bitrates: 720p at 15 fps in VP8, and the mixed voices in Opus. */
const VIDEO_BITS_PER_SECOND = 1_500_000;
const AUDIO_BITS_PER_SECOND = 128_000;

/** `parley-<room>-2026-12-01-0930.webm`, in local time. */
export function recordingFileName(room: string, at: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}`;
  return `parley-${room}-${stamp}.webm`;
}

/** The call's tiles and voices as they are now, read on every frame. */
function callMedia(call: Call, features: CallFeatures): CallMediaSource {
  return {
    tiles: () => {
      const s = call.snapshot;
      const out: ComposeSource[] = [];
      for (const sc of features.screen.screens) {
        out.push({ key: `${sc.key}:screen`, kind: 'screen', name: sc.name, stream: sc.stream, videoOn: true });
      }
      out.push({
        key: 'self',
        kind: 'camera',
        name: s.self?.name ?? call.name,
        stream: s.localStream,
        videoOn: s.media.video,
      });
      for (const r of s.remotes) {
        out.push({
          key: r.participant.id,
          kind: 'camera',
          name: r.participant.name,
          stream: r.stream,
          videoOn: r.participant.media.video,
        });
      }
      return out;
    },
    voices: () => {
      const s = call.snapshot;
      // Your own microphone (silent while muted: its track is disabled) and everyone else's.
      const mine = s.localStream?.getAudioTracks() ?? [];
      return [...mine, ...s.remotes.flatMap((r) => r.stream.getAudioTracks())];
    },
  };
}

/** Where the recording goes: the file the person picks, else the browser's downloads, else memory. */
async function openSink(room: string): Promise<FileSink | null> {
  const name = recordingFileName(room, new Date());
  const pick = browserSaveFilePicker();
  if (pick) {
    try {
      return await DiskSink.open(pick, name);
    } catch (err) {
      console.warn('[parley] recording: the save picker failed; using the downloads', err);
    }
  }
  if (canStreamDownloads()) return DownloadSink.open(`rec-${randomId(9)}`, name, null);
  return new MemorySink();
}

const sessions = new WeakMap<Call, RecordingSession<MediaStream>>();

/** The recording of `call`, made on first use; it stops and saves when the call ends. */
export function recordingOf(call: Call, features: CallFeatures): RecordingSession<MediaStream> {
  let session = sessions.get(call);
  if (session) return session;
  const made = new RecordingSession<MediaStream>({
    announce: () => call.recordingAction('recording-start', {}),
    unannounce: () => call.recordingAction('recording-stop', {}),
    pickFirst: browserSaveFilePicker() !== null,
    openSink: () => openSink(call.room),
    capture: () => {
      const composer = new CallComposer(callMedia(call, features));
      return { stream: composer.stream, stop: () => composer.stop() };
    },
    makeRecorder: (stream) =>
      new MediaRecorder(stream, {
        mimeType: recordingMimeType((t) => MediaRecorder.isTypeSupported(t)),
        videoBitsPerSecond: VIDEO_BITS_PER_SECOND,
        audioBitsPerSecond: AUDIO_BITS_PER_SECOND,
      }) as unknown as RecorderLike,
  });
  session = made;
  sessions.set(call, made);
  const offs = [
    call.on('recording', (state, source) => made.serverState(state, source, call.snapshot.self?.id ?? null)),
    call.on('change', (s) => {
      if (s.phase !== 'left' && s.phase !== 'failed') return;
      for (const off of offs) off();
      void made.dispose();
    }),
  ];
  return made;
}
