import { verifyNode } from '../node/pacs/peer.js';
import { type Command, parseCommandArgs, writeOut } from './command.js';
import { NETWORK_OPTIONS, NETWORK_USAGE, NODES_FILE_HELP, networkContext } from './network.js';

export const ECHO_USAGE = `Usage: dicom-deid echo <node> [options]

Checks that a node answers and accepts us: C-ECHO over DIMSE, an empty search over DICOMweb.

Options:
${NETWORK_USAGE}

${NODES_FILE_HELP}

Exit status: 0 when the node answered, 1 when it did not (the reason is printed), 2 on a usage error.
`;

export const echoCommand: Command = {
  name: 'echo',
  summary: 'check that a PACS or archive answers and accepts us (C-ECHO)',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, NETWORK_OPTIONS);
    if (values.help) {
      await writeOut(ECHO_USAGE);
      return 0;
    }
    const { node, via, local } = networkContext(values, positionals[0]);
    const result = await verifyNode(node, via, local);
    if (result.reachable) {
      await writeOut(`${node.name}: reachable (${via})\n`);
      return 0;
    }
    await writeOut(`${node.name}: not reachable (${result.failure}): ${result.message}\n`);
    return 1;
  },
};
