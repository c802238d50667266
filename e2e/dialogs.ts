import type { Dialogs } from '../electron/main/handlers.js';

/** Native dialogs, answered in order from what the test queued; an unexpected dialog fails the call. */
export class ScriptedDialogs implements Dialogs {
  private readonly answers: Array<string | string[] | null> = [];
  readonly shown: string[] = [];
  readonly opened: string[] = [];

  /** Queues the answer to the next dialog: a path, several (open files), or null for Cancel. */
  answer(value: string | string[] | null) {
    this.answers.push(value);
    return this;
  }

  private next(title: string) {
    this.shown.push(title);
    if (this.answers.length === 0) throw new Error(`unexpected dialog: ${title}`);
    return this.answers.shift()!;
  }

  async openFiles(title: string) {
    const answer = this.next(title);
    return answer === null ? [] : Array.isArray(answer) ? answer : [answer];
  }
  async openFolder(title: string) {
    return this.single(title);
  }
  async openFile(title: string) {
    return this.single(title);
  }
  async saveFile(title: string) {
    return this.single(title);
  }
  async openPath(path: string) {
    this.opened.push(path);
  }

  private single(title: string): string | null {
    const answer = this.next(title);
    return Array.isArray(answer) ? (answer[0] ?? null) : answer;
  }
}
