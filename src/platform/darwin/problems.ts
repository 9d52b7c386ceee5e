/**
 * What a parser could not read, in words for a person. A few are spelled out and the rest are
 * counted, so a text of 2,000 odd rows gives a short list rather than 2,000 lines.
 */
export class ProblemList {
  private readonly items: string[] = [];
  private skipped = 0;

  constructor(private readonly limit = 20) {}

  add(problem: string): void {
    if (this.items.includes(problem)) return;
    if (this.items.length < this.limit) this.items.push(problem);
    else this.skipped++;
  }

  list(): string[] {
    return this.skipped === 0 ? [...this.items] : [...this.items, `… and ${this.skipped} more problems like these`];
  }
}
