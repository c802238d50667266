import { type DragEvent, useState } from 'react';
import { deid } from './api.js';

/**
 * Drag-and-drop of files and folders: the page never reads them, it only asks the preload for their
 * paths (webUtils.getPathForFile) and hands those to main.
 */
export function useFileDrop(onPaths: (paths: string[]) => void) {
  const [over, setOver] = useState(false);
  const hasFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');
  return {
    over,
    handlers: {
      onDragOver(event: DragEvent) {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      },
      onDragLeave() {
        setOver(false);
      },
      onDrop(event: DragEvent) {
        event.preventDefault();
        setOver(false);
        const paths = [...event.dataTransfer.files]
          .map((file) => deid.pathForFile(file))
          .filter((path) => path !== '');
        if (paths.length > 0) onPaths(paths);
      },
    },
  };
}
