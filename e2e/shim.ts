// Runs in the page before the app (page.addInitScript): `window.deid` over HTTP and Server-Sent Events,
// built by the same createDeidApi as the Electron preload.
import { createDeidApi } from '../shared/ipc/api.js';
import type { Envelope } from '../shared/ipc/contract.js';

declare const __DROP_ROOT__: string;

const events = new EventSource('/events');
// Calls wait for the event stream, so no push that answers them can be missed.
const connected = new Promise<void>((resolve) =>
  events.addEventListener('open', () => resolve(), { once: true }),
);

const api = createDeidApi({
  async invoke(channel, args) {
    await connected;
    const response = await fetch(`/ipc/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args ?? {}),
    });
    return (await response.json()) as Envelope<unknown>;
  },
  on(event, listener) {
    const wrapped = (message: MessageEvent<string>) => listener(JSON.parse(message.data));
    events.addEventListener(event, wrapped);
    return () => events.removeEventListener(event, wrapped);
  },
  // A browser gives a dropped File no path; the tests drop files named after entries of the drop folder.
  pathForFile: (file) => `${__DROP_ROOT__}/${file.name}`,
});

Object.defineProperty(window, 'deid', { value: Object.freeze(api), enumerable: true });
