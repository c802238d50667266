/**
 * `window.deid`: the only way the renderer reaches the machine. The preload builds it over Electron IPC,
 * the e2e shim over HTTP; both hand createDeidApi a Transport, so the API itself is the same code.
 */
import type { Channel, Envelope, EventName, Events, Request, Response } from './contract.js';

export interface Transport {
  invoke(channel: Channel, args: unknown): Promise<Envelope<unknown>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
  /** The path of a dropped file or folder (webUtils.getPathForFile in Electron). */
  pathForFile(file: File): string;
}

export function createDeidApi(transport: Transport) {
  const call =
    <C extends Channel>(channel: C) =>
    async (args: Request<C>): Promise<Response<C>> => {
      const answer = await transport.invoke(channel, args);
      if (!answer.ok) throw new Error(answer.error);
      return answer.value as Response<C>;
    };
  const simple =
    <C extends Channel>(channel: C) =>
    () =>
      call(channel)({} as Request<C>);

  return {
    getSettings: simple('settings:get'),
    addPaths: call('inputs:add'),
    pickInputs: call('inputs:pick'),
    addSamples: simple('inputs:samples'),
    clearInputs: simple('inputs:clear'),
    removeInputs: call('inputs:remove'),
    inspect: call('file:inspect'),
    compare: call('file:compare'),
    frame: call('file:image'),
    setRegions: call('file:regions'),
    checkPixels: call('file:pixels'),
    review: call('file:review'),
    getProfile: simple('profile:get'),
    setProfile: call('profile:set'),
    openProfile: simple('profile:open'),
    saveProfile: call('profile:save'),
    getKey: simple('key:get'),
    createKey: simple('key:create'),
    importKey: simple('key:import'),
    exportKey: simple('key:export'),
    chooseOutput: simple('output:choose'),
    planRun: call('run:plan'),
    checkAllPixels: call('pixels:checkAll'),
    cancelPixelChecks: simple('pixels:cancel'),
    startBatch: call('batch:start'),
    cancelBatch: simple('batch:cancel'),
    showOutput: simple('batch:showOutput'),
    openReport: simple('report:open'),
    exportReport: call('report:export'),
    exportAudit: simple('audit:export'),
    lastProject: simple('project:last'),
    lookupInProject: call('project:lookup'),
    createProject: call('project:create'),
    openProject: simple('project:open'),
    pacsNodes: simple('pacs:nodes'),
    savePacsNode: call('pacs:saveNode'),
    removePacsNode: call('pacs:removeNode'),
    verifyPacsNode: call('pacs:verify'),
    findInPacs: call('pacs:find'),
    retrieveFromPacs: call('pacs:retrieve'),
    cancelPacs: simple('pacs:cancel'),
    sendToPacs: call('pacs:send'),
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      return transport.on(event, listener as (payload: unknown) => void);
    },
    pathForFile: (file: File): string => transport.pathForFile(file),
  };
}

export type DeidApi = ReturnType<typeof createDeidApi>;
