import type { ExportedFile } from '@roadmap/core/client';
import type { MouseEvent } from 'react';
import { Button } from './button.js';
import { DownloadIcon, LoaderIcon } from './icons.js';
import { useRoadmapClient, useRoadmapLabels } from './provider.js';
import { useAction } from './useAction.js';

/** Formats a roadmap exports to (SPEC §9). */
type RoadmapExportFormat = 'md' | 'json';

export interface RoadmapExportProps {
  roadmapId: string;
  /**
   * Called when the user picks a format, before the built-in download; call `event.preventDefault()` to stop it
   * (and export yourself, e.g. with `client.exportRoadmap`).
   */
  onExport?: ((format: RoadmapExportFormat, event: MouseEvent<HTMLButtonElement>) => void) | undefined;
}

/** Saves `file` through a temporary object URL and `<a download>`, as a browser saves any download. */
function saveFile({ blob, filename }: ExportedFile): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked once the browser has surely read it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** @internal "Export" of `<RoadmapView>`: one button per format, each downloading the whole roadmap as a file. */
export function RoadmapExport({ roadmapId, onExport }: RoadmapExportProps) {
  const labels = useRoadmapLabels();
  const client = useRoadmapClient();
  const { running: exporting, error, run } = useAction<RoadmapExportFormat>();
  const download = (format: RoadmapExportFormat, event: MouseEvent<HTMLButtonElement>) => {
    onExport?.(format, event);
    if (!event.defaultPrevented)
      void run(format, async () => saveFile(await client.exportRoadmap(roadmapId, { format })));
  };
  return (
    <div data-slot="roadmap-export" className="roadmap-export">
      <fieldset aria-label={labels.exportRoadmap} className="roadmap-filters roadmap-export__formats">
        <span aria-hidden="true" className="roadmap-muted">
          {labels.exportRoadmap}
        </span>
        {(['md', 'json'] as const).map((format) => (
          <Button
            key={format}
            variant="outline"
            size="sm"
            onClick={(event) => download(format, event)}
            disabled={exporting !== null}
            aria-busy={exporting === format}
          >
            {exporting === format ? <LoaderIcon className="roadmap-spin" /> : <DownloadIcon />}
            {labels.exportFormat[format]}
          </Button>
        ))}
      </fieldset>
      {error && (
        <p role="alert" className="roadmap-error">
          {labels.exportFailed}: {error}
        </p>
      )}
    </div>
  );
}
