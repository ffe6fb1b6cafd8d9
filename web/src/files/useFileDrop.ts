import { useRef, useState, type DragEvent } from 'react';
import type { FileTransfers } from './FileTransfers';

/** Whether a drag carries files (not text or a link dragged within the page). */
function carriesFiles(e: DragEvent): boolean {
  return [...e.dataTransfer.types].includes('Files');
}

/**
 * Dropping files anywhere on the call offers them to everyone: `dragging` is true while files
 * are held over it (the call shows where to drop), `problem` says why a file was refused.
 * `onOffered` runs after a drop that offered at least one file (the call opens the Files panel).
 */
export function useFileDrop(files: FileTransfers | null, onOffered: () => void) {
  const [dragging, setDragging] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // dragenter/dragleave fire for every child crossed: count them.
  const depth = useRef(0);
  const handlers = {
    onDragEnter: (e: DragEvent) => {
      if (!files || !carriesFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!files || !carriesFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!files || !carriesFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!files || !carriesFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      let offered = false;
      let refused: string | null = null;
      for (const file of e.dataTransfer.files) {
        const why = files.send(file);
        if (why) refused = why;
        else offered = true;
      }
      setProblem(refused);
      if (offered) onOffered();
    },
  };
  return { dragging, problem, clearProblem: () => setProblem(null), handlers };
}
