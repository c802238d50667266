import { stat } from 'node:fs/promises';
import { PeerError } from '../node/pacs/errors.js';
import { send } from '../node/pacs/peer.js';
import { releaseList } from '../node/pacs/releasable.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';
import { interruptible, NETWORK_OPTIONS, NETWORK_USAGE, networkContext } from './network.js';

export const PUSH_USAGE = `Usage: dicom-deid push <node> <file or folder>... [options]

Sends de-identified files to an archive (C-STORE, or STOW-RS over DICOMweb), byte for byte in their own
transfer syntax; a file the archive does not accept in that syntax is reported, not converted. Only files
marked de-identified (Patient Identity Removed YES) are sent: any other DICOM file is refused.

Options:
${NETWORK_USAGE}
  --json                  print each file's fate and a summary as JSON

Exit status: 0 when every de-identified file was sent and none refused, 1 otherwise, 2 on a usage error,
130 when interrupted.
`;

export const pushCommand: Command = {
  name: 'push',
  summary: 'send de-identified files to an archive (C-STORE, STOW-RS)',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { ...NETWORK_OPTIONS, json: { type: 'boolean' } });
    if (values.help) {
      await writeOut(PUSH_USAGE);
      return 0;
    }
    const [nodeName, ...paths] = positionals;
    if (paths.length === 0) throw new UsageError('push needs a node and at least one file or folder');
    for (const p of paths) {
      try {
        await stat(p);
      } catch {
        throw new UsageError(`no such file or folder: ${p}`);
      }
    }
    return interruptible(async (signal) => {
      const { node, via, local } = networkContext(values, nodeName, signal);
      const list = await releaseList(paths);
      let sent = 0;
      let failed = 0;
      let fileNo = 0;
      try {
        await send(node, via, local, list.send, (r) => {
          fileNo++;
          if (r.status === 'sent') sent++;
          else {
            failed++;
            // File names are de-identified, but the console still gets only the file's number.
            if (!values.json) process.stderr.write(`not sent: file ${fileNo}: ${r.reason}\n`);
          }
        });
      } catch (e) {
        if (!(e instanceof PeerError)) throw e;
        if (e.code === 'cancelled') return 130;
        process.stderr.write(`dicom-deid: sending failed (${e.code}): ${e.message}\n`);
        return 1;
      }
      const summary = { sent, failed, refused: list.refused.length, skipped: list.skipped };
      if (values.json) await writeOut(`${JSON.stringify({ node: node.name, via, summary })}\n`);
      else {
        await writeOut(
          `${sent} sent to ${node.name}, ${failed} not sent, ${summary.refused} refused (not de-identified), ` +
            `${summary.skipped} not DICOM\n`,
        );
      }
      return failed > 0 || summary.refused > 0 ? 1 : 0;
    });
  },
};
