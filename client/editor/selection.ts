/** The ids this person has selected; listeners hear every change. */
export class Selection {
  private ids: string[] = [];
  /**
   * The group a double-click entered (groups.ts): clicks inside it pick single members. Cleared
   * with the selection and by a click outside the group.
   */
  enteredGroup: string | null = null;
  private readonly listeners = new Set<(ids: readonly string[]) => void>();

  get current(): readonly string[] {
    return this.ids;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.ids.includes(id);
  }

  set(ids: Iterable<string>): void {
    const next = [...new Set(ids)];
    if (next.length === this.ids.length && next.every((id, i) => id === this.ids[i])) return;
    this.ids = next;
    for (const listener of this.listeners) listener(this.ids);
  }

  add(ids: Iterable<string>): void {
    this.set([...this.ids, ...ids]);
  }

  toggle(id: string): void {
    this.set(this.has(id) ? this.ids.filter((other) => other !== id) : [...this.ids, id]);
  }

  clear(): void {
    this.enteredGroup = null;
    this.set([]);
  }

  /** Drops ids that no longer exist (someone deleted them). */
  retain(exists: (id: string) => boolean): void {
    if (this.ids.some((id) => !exists(id))) this.set(this.ids.filter(exists));
  }

  onChange(listener: (ids: readonly string[]) => void): void {
    this.listeners.add(listener);
  }
}
