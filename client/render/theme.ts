/**
 * Light or dark, for the editor and the viewer. The person's choice is `system` (follow the
 * operating system's `prefers-color-scheme`, the default), `light` or `dark`; the editor keeps it
 * in localStorage, the viewer always follows the system. The resolved theme is set on <html> as
 * `data-theme` (the stylesheets' dark variables key on it) and `color-scheme` (native controls),
 * and reported to listeners (the canvas redraws its shapes in the theme's palette).
 *
 *   const theme = new ThemeSetting(localStorage);   // or new ThemeSetting(null) in the viewer
 *   theme.onChange((resolved) => shapes.setTheme(resolved));
 *   theme.choose('dark');
 */
import type { Theme } from './palette.ts';

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const STORAGE_KEY = 'boardcast.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export class ThemeSetting {
  private current: ThemeChoice;
  private readonly listeners = new Set<(theme: Theme, choice: ThemeChoice) => void>();
  private readonly media: MediaQueryList;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null) {
    this.current = readChoice(storage);
    this.media = window.matchMedia(DARK_QUERY);
    this.media.addEventListener('change', () => this.apply());
    this.apply();
  }

  get choice(): ThemeChoice {
    return this.current;
  }

  get theme(): Theme {
    if (this.current !== 'system') return this.current;
    return this.media.matches ? 'dark' : 'light';
  }

  choose(choice: ThemeChoice): void {
    this.current = choice;
    try {
      this.storage?.setItem(STORAGE_KEY, choice);
    } catch {
      // Storage full or blocked: the choice holds for this page only.
    }
    this.apply();
  }

  /** Calls `listener` now and whenever the theme or the choice changes. */
  onChange(listener: (theme: Theme, choice: ThemeChoice) => void): void {
    this.listeners.add(listener);
    listener(this.theme, this.current);
  }

  private apply(): void {
    const theme = this.theme;
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
    for (const listener of this.listeners) listener(theme, this.current);
  }
}

function readChoice(storage: Pick<Storage, 'getItem'> | null): ThemeChoice {
  try {
    const stored = storage?.getItem(STORAGE_KEY);
    return THEME_CHOICES.find((choice) => choice === stored) ?? 'system';
  } catch {
    return 'system';
  }
}
