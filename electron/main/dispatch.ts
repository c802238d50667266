import { z } from 'zod';
import { errorText } from '../../shared/errors.js';
import { type Emit, type Envelope, isChannel, REQUESTS } from '../../shared/ipc/contract.js';
import type { Handlers } from './handlers.js';

/**
 * Validates one call from the renderer and runs its handler. Electron IPC and the e2e HTTP harness both
 * come through here, so a renderer gets the same checks and the same error wording on either transport.
 */
export async function dispatch(
  handlers: Handlers,
  channel: string,
  raw: unknown,
  emit: Emit,
): Promise<Envelope<unknown>> {
  if (!isChannel(channel)) return { ok: false, error: 'unknown request' };
  const parsed = REQUESTS[channel].safeParse(raw ?? {});
  if (!parsed.success)
    return { ok: false, error: `invalid request ${channel}: ${z.prettifyError(parsed.error)}` };
  try {
    const handler = handlers[channel] as (args: unknown, emit: Emit) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data, emit) };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}
