/**
 * Presenting together (issue 12): one's view goes out in presence (`viewport`), so others can
 * follow it (FollowMode), and the laser pointer's trail goes out too (`laser`) and is drawn for
 * everyone in its owner's colour (LaserView). Both ride in the cursor's paced updates.
 */
import type { EditorContext } from './editor-context.ts';
import { byId } from './editor-app.ts';
import { FollowMode } from './follow.ts';
import { LaserView } from './laser.ts';
import type { Presence } from './presence.ts';

export interface TogetherDeps {
  editor: EditorContext;
  presence: Presence;
  selfColor(): string;
  /** Follow mode started or stopped (the avatars ring whom). */
  onFollow(): void;
}

export function connectTogether({
  editor,
  presence,
  selfColor,
  onFollow,
}: TogetherDeps): FollowMode {
  const { viewport, canvas } = editor;
  const shareView = () => presence.setViewport(viewport.visibleBounds());
  viewport.onChange(shareView);
  shareView();

  const lasers = new LaserView(canvas.overlay, () => viewport.zoom);
  editor.laser.onChange((points) => {
    presence.setLaser(points);
    lasers.set('self', points, selfColor());
    lasers.draw();
  });
  presence.onChange((peers) => {
    const present = new Set(['self']);
    for (const peer of peers) {
      const key = `peer-${peer.clientId}`;
      present.add(key);
      lasers.set(key, peer.laser, peer.color);
    }
    lasers.retain(present);
    lasers.draw();
  });

  return new FollowMode({ presence, viewport, frame: byId('follow-frame'), onChange: onFollow });
}
